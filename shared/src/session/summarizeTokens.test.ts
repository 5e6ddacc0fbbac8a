import { beforeAll, describe, expect, it } from 'vitest';
import type { DeviceKey } from '../device/DeviceKey.js';
import { loadSoftwareDeviceKey } from '../device/loadSoftwareDeviceKey.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { parseSessionSummary } from './SessionSummary.js';
import { DEFAULT_SESSION_LIFETIME_MS, summarizeTokens, type TokenFacts } from './summarizeTokens.js';

const authTimeS = 1_800_000_000;
const now = (authTimeS + 60) * 1000;
const strength = { amr: ['hwk'], acr: 'urn:strongroom:acr:hwk' };
const idClaims = (extra: Record<string, unknown> = {}) => ({
  iss: 'https://broker',
  sub: 'u1',
  auth_time: authTimeS,
  ...extra,
});
const makeFacts = (overrides: Partial<TokenFacts> = {}): TokenFacts => ({
  tokenType: 'DPoP',
  expiresIn: 600,
  refreshTokenExpiresIn: undefined,
  idTokenClaims: idClaims(),
  claims: idClaims(),
  ...overrides,
});

describe('summarizeTokens: the session end', () => {
  let key: DeviceKey;
  beforeAll(async () => {
    key = await loadSoftwareDeviceKey(createMemoryCredentialStore(), 'p');
  });

  it('takes the signed ID token session_exp first', () => {
    const end = authTimeS + 300; // sooner than the access token's 600 s
    const facts = makeFacts({ idTokenClaims: idClaims({ session_exp: end }), refreshTokenExpiresIn: 5000 });
    const summary = summarizeTokens(facts, strength, key, now, undefined);
    expect(summary.sessionExpiresAt).toBe(end * 1000);
    expect(summary.sessionEndSource).toBe('id_token');
    // An access token never outlives the session it belongs to.
    expect(summary.accessTokenExpiresAt).toBe(end * 1000);
  });

  it('ignores session_exp that did not come from the ID token (e.g. userinfo)', () => {
    const facts = makeFacts({ claims: idClaims({ session_exp: authTimeS + 999_999 }) });
    const summary = summarizeTokens(facts, strength, key, now, undefined);
    expect(summary.sessionEndSource).toBe('assumed');
  });

  it('falls back to refresh_token_expires_in, then to an earlier stated end', () => {
    const first = summarizeTokens(makeFacts({ refreshTokenExpiresIn: 1200 }), strength, key, now, undefined);
    expect(first.sessionExpiresAt).toBe(now + 1_200_000);
    expect(first.sessionEndSource).toBe('token_response');
    const later = summarizeTokens(makeFacts({ idTokenClaims: undefined }), undefined, key, now + 5000, first);
    expect(later.sessionExpiresAt).toBe(first.sessionExpiresAt);
    expect(later.sessionEndSource).toBe('token_response');
  });

  it('assumes the default lifetime only when the provider says nothing, and says so', () => {
    for (const bad of [undefined, -1, Number.NaN, 0]) {
      const facts = makeFacts({
        refreshTokenExpiresIn: bad,
        idTokenClaims: idClaims({ session_exp: typeof bad === 'number' ? bad : 'soon' }),
      });
      const summary = summarizeTokens(facts, strength, key, now, undefined);
      expect(summary.sessionEndSource).toBe('assumed');
      expect(summary.sessionExpiresAt).toBe(authTimeS * 1000 + DEFAULT_SESSION_LIFETIME_MS);
    }
  });

  it('reads summaries stored before the source was recorded as assumed', () => {
    const facts = makeFacts({ idTokenClaims: idClaims({ session_exp: authTimeS + 900 }) });
    const summary = summarizeTokens(facts, strength, key, now, undefined);
    const old: Record<string, unknown> = { ...summary };
    delete old['sessionEndSource'];
    expect(parseSessionSummary(JSON.stringify(old))?.sessionEndSource).toBe('assumed');
    expect(
      parseSessionSummary(JSON.stringify({ ...old, sessionEndSource: 'forged' }))?.sessionEndSource,
    ).toBe('assumed');
    expect(parseSessionSummary(JSON.stringify(summary))?.sessionEndSource).toBe('id_token');
  });
});
