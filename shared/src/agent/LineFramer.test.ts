import { describe, expect, it } from 'vitest';
import { LineFramer } from './LineFramer.js';

describe('LineFramer', () => {
  it('splits frames across chunks on bytes, keeping a multi-byte character split between chunks', () => {
    const framer = new LineFramer(64);
    const bytes = Buffer.from('{"a":"é"}\n{"b":1}\n{"c"');
    const cut = bytes.indexOf(0xa9); // the second byte of é
    expect(framer.push(bytes.subarray(0, cut))).toEqual({ frames: [], tooLarge: false });
    expect(framer.push(bytes.subarray(cut))).toEqual({ frames: ['{"a":"é"}', '{"b":1}'], tooLarge: false });
    expect(framer.push(Buffer.from(':2}\n'))).toEqual({ frames: ['{"c":2}'], tooLarge: false });
  });

  it('reports an oversized frame before its end arrives, and allows one exactly at the limit', () => {
    expect(new LineFramer(4).push(Buffer.from('abcd\n'))).toEqual({ frames: ['abcd'], tooLarge: false });
    const framer = new LineFramer(4);
    expect(framer.push(Buffer.from('abc'))).toEqual({ frames: [], tooLarge: false });
    expect(framer.push(Buffer.from('de'))).toEqual({ frames: [], tooLarge: true });
    expect(new LineFramer(4).push(Buffer.from('ok\nabcdef\n'))).toEqual({ frames: ['ok'], tooLarge: true });
  });
});
