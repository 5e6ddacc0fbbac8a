// Types for oidc-provider 9's own DPoP proof check at the token endpoint. It is not part of the
// package's typed API, but extension grant types (Provider#registerGrantType) receive no helpers,
// and checking the proof with the provider's code keeps one nonce (RFC 9449 §8) and one replay
// store (§11.1) for every grant type. The package has no `exports` map, so the path resolves.
declare module 'oidc-provider/lib/helpers/validate_dpop.js' {
  import type Provider from 'oidc-provider';
  import type { KoaContextWithOIDC } from 'oidc-provider';

  export interface ValidatedDpop {
    thumbprint: string;
    jti: string;
    iat: number;
  }
  /** The token request's DPoP proof, checked (nonce, htm/htu, iat, signature); undefined without one. */
  const validateDpop: (
    provider: Provider,
    ctx: KoaContextWithOIDC,
    accessToken?: string,
  ) => Promise<ValidatedDpop | undefined>;
  export { validateDpop as default };
  /** Records the proof's jti; throws `ErrorClass` (default invalid_grant) on a replay. */
  export function checkDpopReplay(
    provider: Provider,
    ctx: KoaContextWithOIDC,
    dPoP: ValidatedDpop | undefined,
    clientId: string,
  ): Promise<void>;
}
