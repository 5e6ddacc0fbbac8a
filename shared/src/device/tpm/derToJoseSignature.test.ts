import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { derToJoseSignature } from './derToJoseSignature.js';

describe('derToJoseSignature', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

  it('turns DER signatures into r||s that verifies as IEEE P1363, whatever the integer lengths', () => {
    const lengths = new Set<number>();
    // Until we have seen an r of 31 bytes (or less) and one of 33 (leading 0x00): ~1 in 256 and 1 in 2.
    for (let i = 0; i < 5000 && !(lengths.has(33) && [...lengths].some((l) => l < 32)); i++) {
      const data = Buffer.from(`message ${i}`);
      const der = sign('sha256', data, privateKey);
      lengths.add(der[3] ?? 0);
      const raw = derToJoseSignature(der);
      expect(raw).toHaveLength(64);
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, raw)).toBe(true);
    }
    expect(lengths.has(33)).toBe(true);
    expect([...lengths].some((l) => l < 32)).toBe(true);
  });

  it('refuses anything but a well-formed DER SEQUENCE of two integers', () => {
    const der = sign('sha256', Buffer.from('x'), privateKey);
    for (const broken of [
      Buffer.alloc(0),
      Buffer.concat([der, Buffer.from([0])]),
      der.subarray(0, der.length - 1),
      Buffer.from([0x31, ...der.subarray(1)]),
      Buffer.from([0x30, 0x06, 0x02, 0x01, 0x01, 0x04, 0x01, 0x01]),
      Buffer.from([0x30, 0x26, 0x02, 0x22, ...Buffer.alloc(34, 1), 0x02, 0x00]),
    ])
      expect(() => derToJoseSignature(broken), broken.toString('hex')).toThrow(/not a DER ECDSA/);
  });
});
