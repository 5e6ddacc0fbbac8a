/** A service token from token exchange (RFC 8693), as a client keeps it. Times in epoch ms. */
export interface ServiceToken {
  /** The JWT: a live credential, only for the service's own credential mechanism (never logs). */
  readonly token: string;
  /** `DPoP` when bound to this device's key (send proofs), `Bearer` otherwise. */
  readonly tokenType: 'DPoP' | 'Bearer';
  /** The service's audience as the broker names it. */
  readonly audience: string;
  readonly expiresAt: number;
  /** The JIT grant it was issued under: a grant end wipes it (vault/grantCredentialEntries). */
  readonly grantId: string;
}
