import { createRemoteJWKSet, customFetch, errors, jwtVerify, type JWTPayload } from 'jose';
import type { DenylistKind } from '../protocol/revokedCredentialsApi.js';
import { checkDpopProof, DPOP_PROOF_ALGS } from './checkDpopProof.js';
import { parseAuthorization } from './parseAuthorization.js';
import { createMemoryReplayCache, type ReplayCache } from './ReplayCache.js';
import { RevocationDenylist } from './RevocationDenylist.js';
import type { ServiceAuthFailure, ServiceAuthResult, VerifiedServiceToken } from './ServiceAuthResult.js';

export interface ServiceTokenVerifierOptions {
  /** The broker's issuer URL (`iss` must equal it). */
  issuer: string;
  /** This service's audience as the broker's catalog names it (`aud` must contain it). */
  audience: string;
  /** Default `<issuer>/jwks` (the broker's JWKS endpoint). */
  jwksUri?: string;
  /**
   * Default `<issuer>/api/v1/credentials/revoked?kind=<kinds>`. `false` turns revocation checks off:
   * only for services that accept that a dropped grant's tokens live until they expire.
   */
  denylistUri?: string | false;
  /** Token kinds whose revocations matter here (default: service-token, git-token, kube-token). */
  denylistKinds?: readonly DenylistKind[];
  /** How old the denylist may be before it is fetched again (default 10 s: the revocation delay). */
  denylistIntervalMs?: number;
  /** Fail closed (503) when no fetch succeeded for this long (default 60 s). */
  denylistMaxStalenessMs?: number;
  /** Refuse tokens that are not DPoP-bound (the service's catalog entry says `dpop: true`). */
  requireDpop?: boolean;
  /** Seconds a DPoP proof's `iat` may be from now (default 60, as the broker). */
  dpopIatWindowSeconds?: number;
  /** Leeway for `exp`/`nbf` against clock skew (default 5 s). */
  clockToleranceSeconds?: number;
  /** Single use of proof `jti`s; default in this process's memory. */
  replayCache?: ReplayCache;
  fetch?: typeof fetch;
  now?: () => number;
}

/** The parts of an HTTP request the verifier reads. */
export interface ServiceRequest {
  authorization: string | undefined;
  dpop: string | readonly string[] | undefined;
  method: string;
  /** The absolute URL the client addressed (DPoP `htu`): scheme, host and path as the client saw them. */
  url: string | URL;
}

export interface ServiceTokenVerifier {
  verify(request: ServiceRequest): Promise<ServiceAuthResult>;
  /** Fetches the denylist now (e.g. at start-up, so the first request does not wait). */
  refreshDenylist(): Promise<void>;
}

/** The broker signs its tokens ES256 (grantTokenIssuer); nothing else is accepted. */
const TOKEN_ALGS = ['ES256'];

/**
 * What a resource service (model registry, experiment tracker, notebooks, a git or Kubernetes
 * front) runs on each request to accept a Strongroom service token from token exchange (RFC 8693):
 * an `at+jwt` (RFC 9068) signed by a key in the broker's JWKS, for this issuer and audience, not
 * expired, naming its grants; a DPoP proof from the bound key when the token has `cnf.jkt`
 * (RFC 9449 §7.1, proofs single use); and not on the broker's revocation denylist.
 */
export function createServiceTokenVerifier(options: ServiceTokenVerifierOptions): ServiceTokenVerifier {
  const now = options.now ?? Date.now;
  const fetchImpl = options.fetch ?? fetch;
  const issuer = options.issuer.replace(/\/+$/, '');
  const jwks = createRemoteJWKSet(new URL(options.jwksUri ?? `${issuer}/jwks`), {
    [customFetch]: fetchImpl,
  });
  const replay = options.replayCache ?? createMemoryReplayCache();
  const iatWindow = options.dpopIatWindowSeconds ?? 60;
  const kinds = options.denylistKinds ?? ['service-token', 'git-token', 'kube-token'];
  const denylist =
    options.denylistUri === false
      ? undefined
      : new RevocationDenylist({
          url:
            options.denylistUri ??
            `${issuer}/api/v1/credentials/revoked?${kinds.map((k) => `kind=${encodeURIComponent(k)}`).join('&')}`,
          intervalMs: options.denylistIntervalMs ?? 10_000,
          maxStalenessMs: options.denylistMaxStalenessMs ?? 60_000,
          fetch: fetchImpl,
          now,
        });

  const refuse = (reason: ServiceAuthFailure, description: string): ServiceAuthResult => {
    const dpop = reason === 'invalid_dpop_proof' || reason === 'dpop_replay' || reason === 'dpop_required';
    const error = dpop ? 'invalid_dpop_proof' : reason === 'missing_token' ? undefined : 'invalid_token';
    const params = [
      `realm="${options.audience}"`,
      ...(error === undefined ? [] : [`error="${error}"`, `error_description="${description}"`]),
    ];
    const challenge = dpop
      ? `DPoP ${[...params, `algs="${DPOP_PROOF_ALGS.join(' ')}"`].join(', ')}`
      : `Bearer ${params.join(', ')}`;
    return {
      ok: false,
      reason,
      description,
      status: reason === 'denylist_unavailable' ? 503 : 401,
      wwwAuthenticate: challenge,
    };
  };

  const verifyJwt = async (
    token: string,
  ): Promise<{ ok: true; payload: JWTPayload } | { ok: false; result: ServiceAuthResult }> => {
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: options.audience,
        algorithms: TOKEN_ALGS,
        typ: 'at+jwt',
        requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
        clockTolerance: options.clockToleranceSeconds ?? 5,
        currentDate: new Date(now()),
      });
      return { ok: true, payload };
    } catch (error) {
      if (error instanceof errors.JWTExpired)
        return { ok: false, result: refuse('expired', 'the token has expired') };
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'aud')
        return { ok: false, result: refuse('wrong_audience', 'the token is for another audience') };
      return {
        ok: false,
        result: refuse('invalid_token', 'the token is not a valid Strongroom service token'),
      };
    }
  };

  return {
    refreshDenylist: () => denylist?.refresh() ?? Promise.resolve(),
    async verify(request) {
      if (request.authorization === undefined || request.authorization === '')
        return refuse('missing_token', 'a Strongroom service token is required');
      const presented = parseAuthorization(request.authorization);
      if (presented === undefined) return refuse('malformed_request', 'malformed Authorization header');
      const checked = await verifyJwt(presented.token);
      if (!checked.ok) return checked.result;
      const { payload } = checked;
      const grants = payload['grants'];
      if (!Array.isArray(grants) || grants.length === 0 || !grants.every((g) => typeof g === 'string'))
        return refuse('invalid_token', 'the token names no grant');
      const cnf = payload['cnf'] as { jkt?: unknown } | undefined;
      const jkt = typeof cnf?.jkt === 'string' ? cnf.jkt : undefined;

      if (jkt === undefined) {
        if (options.requireDpop)
          return refuse('dpop_required', 'this service accepts only DPoP-bound tokens');
        // RFC 9449 §7.1: the DPoP scheme is for bound tokens only.
        if (presented.scheme === 'DPoP') return refuse('invalid_token', 'the token is not DPoP-bound');
      } else {
        // RFC 9449 §7.2: a bound token presented as a bearer token is refused.
        if (presented.scheme !== 'DPoP')
          return refuse('dpop_required', 'the token is DPoP-bound: send it with scheme DPoP and a proof');
        const proofs =
          request.dpop === undefined ? [] : typeof request.dpop === 'string' ? [request.dpop] : request.dpop;
        if (proofs.length !== 1 || proofs[0] === '')
          return refuse('dpop_required', 'exactly one DPoP proof header is required');
        const at = now();
        const proof = await checkDpopProof({
          proof: proofs[0] as string,
          method: request.method,
          url: new URL(request.url),
          accessToken: presented.token,
          iatWindowSeconds: iatWindow,
          now: at,
        });
        if (!proof.ok) return refuse('invalid_dpop_proof', proof.description);
        if (proof.thumbprint !== jkt)
          return refuse('invalid_dpop_proof', 'the DPoP proof is not from the bound key');
        const keptUntil = (proof.iat + iatWindow) * 1000 + 1000;
        if (!(await replay.firstUse(`${jkt}:${proof.jti}`, Math.max(keptUntil, at + 1000), at)))
          return refuse('dpop_replay', 'the DPoP proof was already used');
      }

      const jti = payload.jti as string;
      if (denylist !== undefined) {
        const answer = await denylist.check(jti);
        if (answer === 'revoked') return refuse('revoked', 'the token was revoked (its grant ended)');
        if (answer === 'unavailable')
          return refuse('denylist_unavailable', 'cannot reach the broker to check revocations');
      }
      const token: VerifiedServiceToken = {
        subject: payload.sub as string,
        audience: options.audience,
        grants: grants as string[],
        jti,
        clientId: typeof payload['client_id'] === 'string' ? payload['client_id'] : undefined,
        issuedAt: (payload.iat as number) * 1000,
        expiresAt: (payload.exp as number) * 1000,
        jkt,
      };
      return { ok: true, token };
    },
  };
}
