import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import { canonicalJson, exactJson } from './canonicalJson.js';

describe('canonicalJson', () => {
  it('matches the RFC 8785 §3.2.2 example', () => {
    const input = JSON.parse(
      '{"numbers":[333333333.33333329,1E30,4.50,2e-3,0.000000000000000000000000001],' +
        '"string":"\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/","literals":[null,true,false]}',
    ) as unknown;
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units at every depth and leaves out undefined members', () => {
    expect(
      canonicalJson({
        b: 1,
        a: { d: [1, { z: 0, y: 'é' }], c: undefined },
        A: true,
        '\u20ac': 0,
        '\ud83d\ude00': 1,
      }),
    ).toBe('{"A":true,"a":{"d":[1,{"y":"é","z":0}]},"b":1,"€":0,"😀":1}');
  });

  it('refuses what JSON cannot carry faithfully', () => {
    for (const bad of [
      Number.NaN,
      Number.POSITIVE_INFINITY,
      1n,
      () => 1,
      new Date(0),
      [undefined],
      new Map(),
      Symbol('s'),
    ]) {
      expect(() => canonicalJson({ v: bad })).toThrow(BrokerError);
    }
  });

  it('takes the slow path for keys V8 would reorder, and matches the reference encoder everywhere', () => {
    expect(canonicalJson({ 10: 0, 9: 0, a: 0 })).toBe('{"10":0,"9":0,"a":0}');
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1},"a":2}'))).toBe('{"__proto__":{"x":1},"a":2}');
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const expected = exactJson(value);
        expect(canonicalJson(value)).toBe(expected);
        expect(canonicalJson(JSON.parse(expected))).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
