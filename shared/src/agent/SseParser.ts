/** One Server-Sent Event (WHATWG HTML §9.2.6). */
export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: string;
}

/**
 * Incremental SSE parser: feed it chunks as they arrive, get whole events back. Comments
 * (`: keep-alive`) and `retry:` are skipped. A line longer than `maxLineBytes` means the stream is
 * not what we think it is: `push` throws, and the caller drops the connection.
 */
export class SseParser {
  readonly #decoder = new TextDecoder();
  readonly #maxLine: number;
  #buffer = '';
  #id: string | undefined;
  #event = '';
  #data: string[] = [];

  constructor(maxLineBytes = 256 * 1024) {
    this.#maxLine = maxLineBytes;
  }

  push(chunk: Uint8Array): SseMessage[] {
    this.#buffer += this.#decoder.decode(chunk, { stream: true });
    const out: SseMessage[] = [];
    let cut: number;
    while ((cut = this.#buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = this.#buffer.slice(0, cut);
      const width = this.#buffer.startsWith('\r\n', cut) ? 2 : 1;
      this.#buffer = this.#buffer.slice(cut + width);
      const message = this.#line(line);
      if (message !== undefined) out.push(message);
    }
    if (this.#buffer.length > this.#maxLine) throw new Error('event stream line too long');
    return out;
  }

  #line(line: string): SseMessage | undefined {
    if (line === '') {
      if (this.#data.length === 0) {
        this.#event = '';
        return undefined;
      }
      const message = { id: this.#id, event: this.#event || 'message', data: this.#data.join('\n') };
      this.#event = '';
      this.#data = [];
      return message;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.#data.push(value);
    else if (field === 'event') this.#event = value;
    else if (field === 'id' && !value.includes('\0')) this.#id = value;
    return undefined;
  }
}
