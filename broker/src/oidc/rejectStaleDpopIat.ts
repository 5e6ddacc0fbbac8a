import type Provider from 'oidc-provider';

type ProviderMiddleware = Parameters<Provider['use']>[0];

/** How far a DPoP proof's `iat` may be from the broker's clock, in seconds. */
export const DPOP_IAT_WINDOW_SECONDS = 60;

function iatOf(proof: string): number | undefined {
  const payload = proof.split('.')[1];
  if (!payload || payload.length > 4096) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return typeof parsed === 'object' && parsed !== null && 'iat' in parsed && typeof parsed.iat === 'number'
      ? parsed.iat
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * oidc-provider skips the `iat` check when a proof carries a server nonce (RFC 9449 §11.1 lets the
 * nonce provide freshness). We check it anyway, as defence in depth: a proof must also claim to be
 * recent. Only refuses; signature and every other rule stay with oidc-provider.
 */
export function rejectStaleDpopIat(now: () => number): ProviderMiddleware {
  return async (ctx, next) => {
    const proof = ctx.get('dpop');
    if (proof) {
      const iat = iatOf(proof);
      if (iat !== undefined && Math.abs(now() / 1000 - iat) > DPOP_IAT_WINDOW_SECONDS) {
        ctx.status = 400;
        ctx.set('cache-control', 'no-store');
        ctx.body = { error: 'invalid_dpop_proof', error_description: 'DPoP proof iat is not recent enough' };
        return;
      }
    }
    await next();
  };
}
