import type { KoaContextWithOIDC } from 'oidc-provider';
import { describe, expect, it } from 'vitest';
import { makeSessionLifetime } from './sessionLifetime.js';

const ctxWith = (entities: Record<string, unknown>) =>
  ({ oidc: { entities } }) as unknown as KoaContextWithOIDC;

describe('makeSessionLifetime', () => {
  const loginAt = 1_800_000_000; // seconds
  const at = (secondsAfterLogin: number) =>
    makeSessionLifetime({
      accessTokenTtlSeconds: 600,
      sessionTtlSeconds: 12 * 3600,
      now: () => (loginAt + secondsAfterLogin) * 1000,
    });

  it('gives refresh tokens only what is left of the absolute session, however often they rotate', () => {
    const ctx = ctxWith({ RefreshToken: { authTime: loginAt } });
    expect(at(0).refreshToken(ctx)).toBe(12 * 3600);
    expect(at(11 * 3600).refreshToken(ctx)).toBe(3600);
    expect(at(12 * 3600 + 5).refreshToken(ctx)).toBe(1); // born expired: oidc-provider needs a positive TTL
  });

  it('never lets an access token outlive the session', () => {
    const ctx = ctxWith({ AuthorizationCode: { authTime: loginAt } });
    expect(at(0).accessToken(ctx)).toBe(600);
    expect(at(12 * 3600 - 120).accessToken(ctx)).toBe(120);
  });

  it('bounds the browser session by its login time', () => {
    expect(at(3600).session(loginAt)).toBe(11 * 3600);
    expect(at(0).session(undefined)).toBe(12 * 3600);
  });
});
