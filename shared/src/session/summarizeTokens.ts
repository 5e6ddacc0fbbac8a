import type { DeviceKey } from '../device/DeviceKey.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { SessionSummary } from './SessionSummary.js';

/**
 * When the broker does not say how long the refresh token lives (`refresh_token_expires_in` is not
 * standard), assume the broker's documented default absolute session lifetime: the vault entry then
 * expires no later than the session can, and the worst case is an earlier `strongroom login`.
 */
export const DEFAULT_SESSION_LIFETIME_MS = 12 * 3600 * 1000;

export interface TokenFacts {
  readonly tokenType: string;
  readonly expiresIn: number | undefined;
  readonly refreshTokenExpiresIn: number | undefined;
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
  const sessionExpiresAt =
    facts.refreshTokenExpiresIn !== undefined
      ? now + facts.refreshTokenExpiresIn * 1000
      : (previous?.sessionExpiresAt ?? authTime + DEFAULT_SESSION_LIFETIME_MS);
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
    deviceKeyThumbprint: deviceKey.thumbprint,
    deviceKeyProtection: deviceKey.protection,
  });
}
