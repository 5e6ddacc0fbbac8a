import type { IssuedCredentialKind } from './issuedCredentialRecord.js';
import type { PolicyBundle } from '../policy/PolicyBundle.js';
import type { CatalogEntity } from '../policy/parseCatalog.js';

/** A Service of the catalog that tokens can be issued for (it has an `audience`). */
export interface TokenService {
  entity: CatalogEntity;
  /** The `aud` of its tokens. */
  audience: string;
  /** It checks DPoP proofs: its tokens are bound to the caller's key (`cnf.jkt`). */
  dpop: boolean;
  kind: Extract<IssuedCredentialKind, 'service-token' | 'git-token' | 'kube-token'>;
}

const KINDS = new Set(['service-token', 'git-token', 'kube-token']);

/**
 * The Service a token-exchange `audience` (or `resource`) names: its catalog `audience` attribute,
 * or its id. Services without an `audience` attribute get no tokens (they are policy-only assets).
 */
export function serviceForAudience(bundle: PolicyBundle, requested: string): TokenService | undefined {
  for (const entity of bundle.catalog.values()) {
    if (entity.type !== 'Service') continue;
    const audience = entity.attrs['audience'];
    if (typeof audience !== 'string' || (audience !== requested && entity.id !== requested)) continue;
    const kind = entity.attrs['tokenKind'];
    return {
      entity,
      audience,
      dpop: entity.attrs['dpop'] === true,
      kind: typeof kind === 'string' && KINDS.has(kind) ? (kind as TokenService['kind']) : 'service-token',
    };
  }
  return undefined;
}
