import { describe, expect, it } from 'vitest';
import { SseParser } from './SseParser.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('SseParser', () => {
  it('parses events across chunks, skips comments and retry, keeps the last id, joins data lines', () => {
    const parser = new SseParser();
    expect(parser.push(bytes('retry: 1000\n\n: keep-alive\n\nid: 7\nevent: grant.ended\nda'))).toEqual([]);
    expect(parser.push(bytes('ta: {"a":1}\r\ndata: {"b":2}\n\n'))).toEqual([
      { id: '7', event: 'grant.ended', data: '{"a":1}\n{"b":2}' },
    ]);
    expect(parser.push(bytes('data:x\n\n'))).toEqual([{ id: '7', event: 'message', data: 'x' }]);
  });

  it('refuses a line longer than its limit (not an event stream)', () => {
    const parser = new SseParser(16);
    expect(() => parser.push(bytes('data: aaaaaaaaaaaaaaaaaaaaaaaaa'))).toThrow(/too long/);
  });
});
