import type { DeviceKeyProtection } from '../device/DeviceKey.js';

export type SessionEndSource = 'id_token' | 'token_response' | 'assumed';

const SESSION_END_SOURCES: readonly string[] = ['id_token', 'token_response', 'assumed'];

/**
 * What `strongroom status` shows: who is signed in, how, and until when. Not secret by itself, but
 * kept in the vault with the tokens so it disappears with them (and never lands in a file).
 * Times are epoch milliseconds.
 */
export interface SessionSummary {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string | undefined;
  readonly name: string | undefined;
  readonly amr: readonly string[];
  readonly acr: string;
  readonly authTime: number;
  readonly accessTokenIssuedAt: number;
  readonly accessTokenExpiresAt: number;
  /** When the broker ends the session at the latest (refresh tokens stop working). */
  readonly sessionExpiresAt: number;
  /**
   * Where `sessionExpiresAt` came from: the signed ID token's `session_exp` claim, the token
   * response's `refresh_token_expires_in`, or `assumed` (the provider said nothing, so the broker's
   * default lifetime counted from sign-in is a guess; `strongroom status` says so).
   */
  readonly sessionEndSource: SessionEndSource;
  readonly deviceKeyThumbprint: string;
  readonly deviceKeyProtection: DeviceKeyProtection;
}

const STRING = ['issuer', 'subject', 'acr', 'deviceKeyThumbprint', 'deviceKeyProtection'] as const;
const NUMBER = ['authTime', 'accessTokenIssuedAt', 'accessTokenExpiresAt', 'sessionExpiresAt'] as const;

/** Parses the vault's JSON; undefined when it is not a summary we wrote (treated as signed out). */
export function parseSessionSummary(raw: string): SessionSummary | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (STRING.some((k) => typeof v[k] !== 'string') || NUMBER.some((k) => typeof v[k] !== 'number'))
    return undefined;
  if (!Array.isArray(v['amr']) || !v['amr'].every((a) => typeof a === 'string')) return undefined;
  const optional = (k: string): string | undefined => (typeof v[k] === 'string' ? v[k] : undefined);
  return Object.freeze({
    ...(v as unknown as SessionSummary),
    email: optional('email'),
    name: optional('name'),
    // Summaries written before the source was recorded: their end was not verified, call it assumed.
    sessionEndSource: SESSION_END_SOURCES.includes(String(v['sessionEndSource']))
      ? (v['sessionEndSource'] as SessionEndSource)
      : 'assumed',
  });
}
