/** What a resource service learns from a verified Strongroom service token. Times in epoch ms. */
export interface VerifiedServiceToken {
  /** The user (`sub`): the broker's user id. */
  readonly subject: string;
  /** The audience this verifier was made for (the token named it). */
  readonly audience: string;
  /** The JIT grants the token was issued under (`grants`): name them in your access log. */
  readonly grants: readonly string[];
  readonly jti: string;
  readonly clientId: string | undefined;
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** The DPoP key thumbprint the token is bound to (`cnf.jkt`); a proof from it was checked. */
  readonly jkt: string | undefined;
}

/**
 * Why a request was refused. `denylist_unavailable` is the verifier failing closed: it could not
 * learn about revocations for longer than its staleness bound (answer 503, not 401).
 */
export type ServiceAuthFailure =
  | 'missing_token'
  | 'malformed_request'
  | 'invalid_token'
  | 'wrong_audience'
  | 'expired'
  | 'dpop_required'
  | 'invalid_dpop_proof'
  | 'dpop_replay'
  | 'revoked'
  | 'denylist_unavailable';

export type ServiceAuthResult =
  | { readonly ok: true; readonly token: VerifiedServiceToken }
  | {
      readonly ok: false;
      readonly reason: ServiceAuthFailure;
      /** Safe to show the caller; never contains the token. */
      readonly description: string;
      readonly status: 401 | 503;
      /** RFC 6750 §3 / RFC 9449 §7.1 challenge for the `WWW-Authenticate` header. */
      readonly wwwAuthenticate: string;
    };
