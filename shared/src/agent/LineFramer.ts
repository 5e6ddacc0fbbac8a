/**
 * Splits a byte stream into `\n`-terminated frames of at most `maxBytes` each (the newline not
 * counted). Works on bytes, so a multi-byte character split across chunks is intact. An oversized
 * frame is reported as soon as it is known to be too big, without buffering the rest of it.
 * Zod-free: the CLI's hot path uses it too.
 */
export class LineFramer {
  readonly #max: number;
  #parts: Buffer[] = [];
  #size = 0;

  constructor(maxBytes: number) {
    this.#max = maxBytes;
  }

  /** Frames completed by this chunk; `tooLarge` once a frame exceeds the limit (stop reading then). */
  push(chunk: Buffer): { frames: string[]; tooLarge: boolean } {
    const frames: string[] = [];
    let rest = chunk;
    for (;;) {
      const cut = rest.indexOf(0x0a);
      if (cut < 0) break;
      if (this.#size + cut > this.#max) return { frames, tooLarge: true };
      this.#parts.push(rest.subarray(0, cut));
      frames.push(Buffer.concat(this.#parts).toString('utf8'));
      this.#parts = [];
      this.#size = 0;
      rest = rest.subarray(cut + 1);
    }
    if (rest.length > 0) {
      if (this.#size + rest.length > this.#max) return { frames, tooLarge: true };
      this.#parts.push(rest);
      this.#size += rest.length;
    }
    return { frames, tooLarge: false };
  }
}
