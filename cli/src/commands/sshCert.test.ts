import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { describe, expect, it } from 'vitest';
import { parseTtl } from './sshCert.js';

describe('strongroom ssh-cert --ttl', () => {
  it('reads seconds, minutes and hours', () => {
    expect(parseTtl('90s')).toBe(90);
    expect(parseTtl('30m')).toBe(1800);
    expect(parseTtl('1h')).toBe(3600);
  });

  it('refuses what the broker would refuse, as a usage error', () => {
    for (const bad of ['5s', '0s', '2h', '61m', 'soon', '-1m', '']) {
      const error = (() => {
        try {
          parseTtl(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, bad).toBeInstanceOf(StrongroomError);
      expect((error as StrongroomError).code).toBe('usage');
    }
  });
});
