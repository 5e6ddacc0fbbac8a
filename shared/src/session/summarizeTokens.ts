import type { DeviceKey } from '../device/DeviceKey.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { SessionEndSource, SessionSummary } from './SessionSummary.js';

/**
 * Only when the provider says nothing about the session's end (neither the broker's signed
 * `session_exp` ID token claim nor `refresh_token_expires_in`, both non-standard; another OpenID
 * Provider may send neither), assume the broker's documented default absolute session lifetime: the
 * vault entry then expires no later than such a session can, and the worst case is an earlier
 * `strongroom login`. The summary records that this end is assumed.
 */
export const DEFAULT_SESSION_LIFETIME_MS = 12 * 3600 * 1000;

export interface TokenFacts {
  readonly tokenType: string;
  readonly expiresIn: number | undefined;
  readonly refreshTokenExpiresIn: number | undefined;
  /** Claims of the verified ID token only (never userinfo): the source of `session_exp`. */
  readonly idTokenClaims: Record<string, unknown> | undefined;
  readonly claims: Record<string, unknown> | undefined;
}

/**
 * Builds the summary from a token response (login or refresh). On refresh the provider may omit the
 * ID token; then identity and authentication facts carry over from the previous summary.
 */
export function summarizeTokens(
  facts: TokenFacts,
  strength: { amr: readonly string[]; acr: string } | undefined,
  deviceKey: DeviceKey,
  now: number,
  previous: SessionSummary | undefined,
): SessionSummary {
  // RFC 9449 §5: a DPoP-bound token comes back as token_type "DPoP". A bearer token would work from
  // any machine that steals it, so it is refused rather than stored.
  if (facts.tokenType.toLowerCase() !== 'dpop') {
    throw new StrongroomError(
      'token_invalid',
      `The broker issued a "${facts.tokenType}" token instead of a DPoP-bound one.`,
      {
        hint: 'Nothing was stored. The identity provider must support DPoP (RFC 9449); ask your administrator.',
      },
    );
  }
  const claims = facts.claims;
  const subject = typeof claims?.['sub'] === 'string' ? claims['sub'] : previous?.subject;
  const issuer = typeof claims?.['iss'] === 'string' ? claims['iss'] : previous?.issuer;
  const authTime =
    typeof claims?.['auth_time'] === 'number' ? claims['auth_time'] * 1000 : (previous?.authTime ?? now);
  const amr = strength?.amr ?? previous?.amr;
  const acr = strength?.acr ?? previous?.acr;
  if (subject === undefined || issuer === undefined || amr === undefined || acr === undefined) {
    throw new StrongroomError(
      'token_invalid',
      'The broker returned tokens without an ID token saying who signed in.',
      { hint: 'Nothing was stored. Run `strongroom login` again.' },
    );
  }
  const lifetime = (facts.expiresIn ?? 300) * 1000;
  const { sessionExpiresAt, sessionEndSource } = sessionEnd(facts, authTime, now, previous);
  const text = (k: string): string | undefined =>
    typeof claims?.[k] === 'string' ? (claims[k] as string) : undefined;
  return Object.freeze({
    issuer,
    subject,
    email: text('email') ?? previous?.email,
    name: text('name') ?? previous?.name,
    amr: [...amr],
    acr,
    authTime,
    accessTokenIssuedAt: now,
    accessTokenExpiresAt: Math.min(now + lifetime, sessionExpiresAt),
    sessionExpiresAt,
    sessionEndSource,
    deviceKeyThumbprint: deviceKey.thumbprint,
    deviceKeyProtection: deviceKey.protection,
  });
}

/**
 * The absolute end of the session, best evidence first: the broker's `session_exp` (epoch seconds,
 * inside the ID token whose signature, iss, aud and nonce openid-client verified), then
 * `refresh_token_expires_in` from the token response, then what an earlier response said, and only
 * then the assumed default. A nonsensical value (not a positive finite number) counts as absent.
 */
function sessionEnd(
  facts: TokenFacts,
  authTime: number,
  now: number,
  previous: SessionSummary | undefined,
): { sessionExpiresAt: number; sessionEndSource: SessionEndSource } {
  const exp = facts.idTokenClaims?.['session_exp'];
  if (typeof exp === 'number' && Number.isFinite(exp) && exp > 0)
    return { sessionExpiresAt: exp * 1000, sessionEndSource: 'id_token' };
  const refreshIn = facts.refreshTokenExpiresIn;
  if (refreshIn !== undefined && Number.isFinite(refreshIn) && refreshIn > 0)
    return { sessionExpiresAt: now + refreshIn * 1000, sessionEndSource: 'token_response' };
  if (previous !== undefined && previous.sessionEndSource !== 'assumed')
    return { sessionExpiresAt: previous.sessionExpiresAt, sessionEndSource: previous.sessionEndSource };
  return { sessionExpiresAt: authTime + DEFAULT_SESSION_LIFETIME_MS, sessionEndSource: 'assumed' };
}
