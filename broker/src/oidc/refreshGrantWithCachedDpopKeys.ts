import { hash } from 'node:crypto';
import { jwtVerify, type JWTPayload, type JWTVerifyResult, type ProtectedHeaderParameters } from 'jose';
import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import {
  handler as refreshTokenHandler,
  parameters as refreshTokenParameters,
} from 'oidc-provider/lib/actions/grants/refresh_token.js';
import { CHALLENGE_OK_WINDOW } from 'oidc-provider/lib/helpers/challenge.js';
import * as grantHelpers from 'oidc-provider/lib/helpers/grants.js';
import instance from 'oidc-provider/lib/helpers/weak_cache.js';
import type { ValidatedDpop } from 'oidc-provider/lib/helpers/validate_dpop.js';
import { CachedEmbeddedJwk, dpopProofKeys } from './cachedEmbeddedJwk.js';

const epochTime = (): number => Math.floor(Date.now() / 1000);

/**
 * oidc-provider 9.13's `validateDpop` (lib/helpers/validate_dpop.js) for the token endpoint, line
 * for line, with two changes that alter no decision:
 * - the proof's embedded key is resolved through `CachedEmbeddedJwk` (jose's own `EmbeddedJWK`,
 *   remembered per header JWK) instead of being imported through WebCrypto on every request, and
 *   its thumbprint is remembered the same way;
 * - the per-request result memo is this module's own (the token endpoint validates once per
 *   request; nothing in the refresh grant reads oidc-provider's memo).
 * Every rule stays: `typ` dpop+jwt, the provider's DPoP algorithms, the signature, `iat`, `jti`,
 * `nonce` (required here, checked against the provider's own DPoPNonces), `htm`, `htu`, `ath`.
 * When oidc-provider is upgraded, compare this with its validate_dpop.js (a test pins the version).
 */
async function validateDpopCached(
  provider: Provider,
  keys: CachedEmbeddedJwk,
  memo: WeakMap<object, ValidatedDpop>,
  ctx: KoaContextWithOIDC,
  accessToken?: string,
): Promise<ValidatedDpop | undefined> {
  if (ctx.oidc.provider !== provider) throw new TypeError('provider does not match ctx.oidc.provider');
  // oidc-provider keeps the verified JWT to re-check `ath` on a second call; the token endpoint
  // makes no second call with an access token, so a second call with one is refused as a mismatch.
  const memoized = memo.get(ctx);
  if (memoized) {
    if (accessToken) throw new errors.InvalidDpopProof('DPoP proof ath mismatch');
    return memoized;
  }
  const {
    features: { dPoP: dPoPConfig },
    dPoPSigningAlgValues,
  } = instance(provider).configuration;
  if (!dPoPConfig.enabled) return undefined;
  const proof = ctx.get('DPoP');
  if (!proof) return undefined;

  const { DPoPNonces } = instance(provider);
  const requireNonce: unknown = dPoPConfig.requireNonce(ctx);
  if (typeof requireNonce !== 'boolean')
    throw new TypeError('features.dPoP.requireNonce must return a Boolean');
  if (requireNonce && !DPoPNonces) throw new Error('features.dPoP.nonceSecret configuration is missing');

  const nextNonce = DPoPNonces?.nextChallenge();
  let payload: JWTPayload;
  let protectedHeader: ProtectedHeaderParameters;
  try {
    const jwt: JWTVerifyResult = await jwtVerify(proof, keys.resolve, {
      algorithms: dPoPSigningAlgValues,
      typ: 'dpop+jwt',
    });
    ({ protectedHeader, payload } = jwt);

    if (typeof payload.iat !== 'number' || !payload.iat)
      throw new errors.InvalidDpopProof('DPoP proof must have a iat number property');
    if (typeof payload.jti !== 'string' || !payload.jti)
      throw new errors.InvalidDpopProof('DPoP proof must have a jti string property');
    if (payload['nonce'] !== undefined && typeof payload['nonce'] !== 'string')
      throw new errors.InvalidDpopProof('DPoP proof nonce must be a string');

    if (!payload['nonce']) {
      const diff = Math.abs(epochTime() - payload.iat);
      if (diff > CHALLENGE_OK_WINDOW) {
        if (nextNonce) {
          ctx.set('dpop-nonce', nextNonce);
          throw new errors.UseDpopNonce('DPoP proof iat is not recent enough, use a DPoP nonce instead');
        }
        throw new errors.InvalidDpopProof('DPoP proof iat is not recent enough');
      }
    } else if (!DPoPNonces) {
      throw new errors.InvalidDpopProof('DPoP nonces are not supported');
    }

    if (payload['htm'] !== ctx.method) throw new errors.InvalidDpopProof('DPoP proof htm mismatch');

    const expected = new URL(ctx.oidc.urlFor(ctx.oidc.route)).href;
    if (typeof payload['htu'] !== 'string') throw new errors.InvalidDpopProof('DPoP proof htu mismatch');
    let actual: URL;
    try {
      actual = new URL(payload['htu']);
    } catch {
      throw new errors.InvalidDpopProof('DPoP proof htu mismatch');
    }
    actual.hash = '';
    actual.search = '';
    if (actual.href !== expected) throw new errors.InvalidDpopProof('DPoP proof htu mismatch');

    if (accessToken && payload['ath'] !== hash('sha256', accessToken, 'base64url'))
      throw new errors.InvalidDpopProof('DPoP proof ath mismatch');
  } catch (cause) {
    if (cause instanceof errors.InvalidDpopProof || cause instanceof errors.UseDpopNonce) throw cause;
    throw new errors.InvalidDpopProof('invalid DPoP key binding', { cause });
  }

  const nonce = payload['nonce'] as string | undefined;
  if (!nonce && requireNonce) {
    ctx.set('dpop-nonce', nextNonce ?? '');
    throw new errors.UseDpopNonce('nonce is required in the DPoP proof');
  }
  if (nonce && !DPoPNonces?.checkChallenge(nonce)) {
    ctx.set('dpop-nonce', nextNonce ?? '');
    throw new errors.UseDpopNonce('invalid nonce in DPoP proof');
  }
  if (nonce !== nextNonce && nextNonce !== undefined) ctx.set('dpop-nonce', nextNonce);

  const thumbprint = await keys.thumbprint(protectedHeader.jwk ?? {});
  const result: ValidatedDpop = { thumbprint, jti: payload.jti, iat: payload.iat };
  memo.set(ctx, result);
  return result;
}

/**
 * oidc-provider 9.13's `checkDpopReplay` without building its error before knowing it is needed
 * (it passes `new InvalidGrant(…)` to `ctx.assert` on every request; the error's stack capture was
 * ~2% of a refresh). Same store call, same error class and message on a replay. The combined
 * client-attestation case (not configured here) goes to oidc-provider's own function.
 */
async function checkDpopReplayLazily(
  provider: Provider,
  original: (
    ctx: KoaContextWithOIDC,
    dPoP: ValidatedDpop | undefined,
    clientId: string,
    errorClass?: unknown,
  ) => Promise<void>,
  ctx: KoaContextWithOIDC,
  dPoP: ValidatedDpop | undefined,
  clientId: string,
  ErrorClass: new (description: string) => Error = errors.InvalidGrant,
): Promise<void> {
  if (ctx.oidc.provider !== provider) throw new TypeError('provider does not match ctx.oidc.provider');
  if (!dPoP || instance(provider).features.dPoP.allowReplay) return;
  const attestation = (ctx.oidc as { clientAttestation?: { method?: string } }).clientAttestation;
  if (attestation?.method === 'dpop_combined') return original(ctx, dPoP, clientId, ErrorClass);
  const unique = await provider.ReplayDetection.unique(clientId, dPoP.jti, epochTime() + CHALLENGE_OK_WINDOW);
  if (!unique) throw new ErrorClass('DPoP proof JWT Replay detected');
}

/**
 * Re-registers oidc-provider's own refresh_token grant handler (Provider#registerGrantType, which
 * replaces the handler it registered at construction) with the same grant helpers it binds
 * (lib/helpers/initialize_app.js) except `validateDpop` and `checkDpopReplay` above. Rotation,
 * reuse detection, session and binding checks are the package's own code, unchanged.
 */
export function registerRefreshGrantWithCachedDpopKeys(
  provider: Provider,
  keys: CachedEmbeddedJwk = dpopProofKeys,
): CachedEmbeddedJwk {
  const memo = new WeakMap<object, ValidatedDpop>();
  const bound = Object.fromEntries(
    Object.entries(grantHelpers).map(([name, helper]) => [
      name,
      (helper as (...args: unknown[]) => unknown).bind(undefined, provider),
    ]),
  ) as Record<string, (...args: unknown[]) => unknown>;
  const helpers = {
    ...bound,
    validateDpop: (ctx: KoaContextWithOIDC, accessToken?: string) =>
      validateDpopCached(provider, keys, memo, ctx, accessToken),
    checkDpopReplay: (
      ctx: KoaContextWithOIDC,
      dPoP: ValidatedDpop | undefined,
      clientId: string,
      ErrorClass?: new (description: string) => Error,
    ) => checkDpopReplayLazily(provider, bound['checkDpopReplay'] as never, ctx, dPoP, clientId, ErrorClass),
  };
  // The parameters and duplicate rules initialize_app.js gives the built-in grant.
  const { features } = instance(provider).configuration;
  const params = new Set(refreshTokenParameters);
  let dupes: Set<string> | undefined;
  if (features.resourceIndicators.enabled) {
    params.add('resource');
    dupes = new Set(['resource']);
  }
  if (features.richAuthorizationRequests.enabled) params.add('authorization_details');
  provider.registerGrantType(
    'refresh_token',
    (ctx: KoaContextWithOIDC) => refreshTokenHandler(provider, helpers, ctx),
    [...params],
    dupes ? [...dupes] : undefined,
  );
  return keys;
}
