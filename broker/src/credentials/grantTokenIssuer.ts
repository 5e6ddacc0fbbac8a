import { randomBytes } from 'node:crypto';
import { importJWK, SignJWT } from 'jose';
import { BrokerError } from '../errors/BrokerError.js';
import type { SigningKeySet } from '../keys/loadSigningKeys.js';

/** ARCHITECTURE.md, "Credentials": every credential lives at most one hour. */
export const MAX_GRANT_TOKEN_MS = 60 * 60_000;

/** What one grant-scoped JWT says; times in epoch milliseconds. */
export interface GrantTokenInput {
  /** The user the token is for (`sub`). */
  subject: string;
  /** The one service (or STS, cluster, git host) that may accept it (`aud`). */
  audience: string;
  /** The JIT grants it was issued under (`grants` claim); a verifier can name them in its logs. */
  grantIds: readonly string[];
  /** The OAuth client the caller used (`client_id`, RFC 9068 §2.2). */
  clientId: string;
  issuedAt: number;
  expiresAt: number;
  /** RFC 9449 §6.1: binds the token to this DPoP key thumbprint (`cnf.jkt`). */
  jkt?: string;
  /**
   * JWS `typ`. Default `at+jwt` (RFC 9068 §2.1): a resource server that demands it cannot be handed
   * one of the broker's ID tokens (same issuer, same keys) as an access token. AWS STS web
   * identity tokens use `JWT`.
   */
  typ?: string;
  /** More claims (e.g. `amr`, `https://aws.amazon.com/tags`); the registered ones above win. */
  claims?: Readonly<Record<string, unknown>>;
}

export interface GrantToken {
  /** The compact JWS: a live credential, never logged or stored by the broker. */
  token: string;
  /** 128 random bits: the ledger id and the denylist entry. */
  jti: string;
  issuedAt: number;
  expiresAt: number;
}

export type GrantTokenIssuer = (input: GrantTokenInput) => Promise<GrantToken>;

/**
 * Signs grant-scoped JWTs (service tokens from token exchange, web-identity tokens for AWS STS,
 * git and Kubernetes tokens) with the broker's own ES256 key: the one oidc-provider publishes at
 * `/jwks` (same `kid`), so a service verifies them with nothing but the broker's JWKS. Lifetime is
 * refused past one hour whatever the caller computed (defence in depth behind authorizeIssuance).
 */
export function grantTokenIssuer(keys: SigningKeySet, issuer: string): GrantTokenIssuer {
  const jwk = keys.keys.find((k) => k.alg === 'ES256' && typeof k.d === 'string');
  if (jwk === undefined) throw new BrokerError('invalid_config', 'the broker has no ES256 signing key');
  const kid = jwk.kid;
  let key: ReturnType<typeof importJWK> | undefined;

  return async (input) => {
    const lifetime = input.expiresAt - input.issuedAt;
    if (!(lifetime > 0 && lifetime <= MAX_GRANT_TOKEN_MS))
      throw new BrokerError('internal', `grant token lifetime ${lifetime} ms is outside (0, 1 h]`);
    if (input.grantIds.length === 0) throw new BrokerError('internal', 'a grant token names its grants');
    key ??= importJWK(jwk, 'ES256');
    const jti = randomBytes(16).toString('base64url');
    const token = await new SignJWT({
      ...input.claims,
      client_id: input.clientId,
      grants: [...input.grantIds],
      ...(input.jkt === undefined ? {} : { cnf: { jkt: input.jkt } }),
    })
      .setProtectedHeader({ alg: 'ES256', typ: input.typ ?? 'at+jwt', ...(kid ? { kid } : {}) })
      .setIssuer(issuer)
      .setSubject(input.subject)
      .setAudience(input.audience)
      .setIssuedAt(Math.floor(input.issuedAt / 1000))
      .setNotBefore(Math.floor(input.issuedAt / 1000))
      .setExpirationTime(Math.floor(input.expiresAt / 1000))
      .setJti(jti)
      .sign(await key);
    return { token, jti, issuedAt: input.issuedAt, expiresAt: input.expiresAt };
  };
}
