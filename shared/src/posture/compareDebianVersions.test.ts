import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareDebianVersions } from './compareDebianVersions.js';

// Pairs in ascending order, from Debian Policy §5.6.12 and dpkg's own test suite.
const ascending: [string, string][] = [
  ['1.0~rc1', '1.0'],
  ['1.0~~', '1.0~'],
  ['1.0', '1.0+dfsg'],
  ['1.0', '1.0a'],
  ['1.0-1', '1.0-1ubuntu1'],
  ['1.0-1', '1.0-2'],
  ['1.0-9', '1.0-10'],
  ['2.36-9+deb12u13', '2.36-9+deb12u14'],
  ['3.0.13-0ubuntu3.4', '3.0.13-0ubuntu3.5'],
  ['9.9', '1:0.1'],
  ['1.2.3', '1.2.10'],
  ['0.9', '00.10'],
  ['22.01+dfsg-8', '22.01+really26.02+dfsg-0+deb12u1'],
  ['6.8.0-45.45', '6.8.0-47.47'],
];

describe('compareDebianVersions', () => {
  it.each(ascending)('%s < %s', (older, newer) => {
    expect(compareDebianVersions(older, newer)).toBeLessThan(0);
    expect(compareDebianVersions(newer, older)).toBeGreaterThan(0);
  });

  it('treats equal spellings as equal (leading zeros, absent epoch)', () => {
    expect(compareDebianVersions('0:1.01-1', '1.1-1')).toBe(0);
  });

  it('is antisymmetric for any versions', () => {
    const version = fc.stringMatching(/^([0-9]:)?[0-9][0-9A-Za-z.+~]{0,8}(-[0-9A-Za-z.+~]{1,6})?$/);
    fc.assert(
      fc.property(
        version,
        version,
        (a, b) => Math.sign(compareDebianVersions(a, b)) === -Math.sign(compareDebianVersions(b, a)),
      ),
    );
  });
});
