import type { CatalogEntity } from '../policy/parseCatalog.js';

/** What a grant names; a `GrantRecord` or a grant view will do. */
interface GrantTarget {
  target: { type: string; id: string };
}

/** At most this many assets in a grant view's `covers` (sorted, so the cut is stable). */
export const MAX_COVERED_ASSETS = 100;

/**
 * Whether `grant` covers catalog `asset`: the grant names the asset itself, or names a Role the
 * asset lists in its catalog `roles`. Issuance (authorizeIssuance) and the grant view's `covers`
 * both decide with this one function, so what clients are told matches what the broker issues.
 */
export function covers(grant: GrantTarget, asset: CatalogEntity): boolean {
  if (grant.target.type === asset.type && grant.target.id === asset.id) return true;
  if (grant.target.type !== 'Role') return false;
  return roleIdsOf(asset).includes(grant.target.id);
}

/** The asset's catalog `roles` attribute, as strings or Role entity references. */
export function roleIdsOf(asset: CatalogEntity): string[] {
  const roles = asset.attrs['roles'];
  if (!Array.isArray(roles)) return [];
  return roles.flatMap((r) => {
    if (typeof r === 'string') return [r];
    const entity = r !== null && typeof r === 'object' && '__entity' in r ? r.__entity : undefined;
    return entity !== null && typeof entity === 'object' && 'id' in entity && typeof entity.id === 'string'
      ? [entity.id]
      : [];
  });
}

/**
 * Assets clients get credentials for: SSH host groups, assets mapped to an AWS role (`awsRoleArn`,
 * awsRoleFor.ts) and Services with an `audience` (token exchange, serviceForAudience.ts).
 */
function actsOn(asset: CatalogEntity): boolean {
  if (asset.type === 'HostGroup') return true;
  if (typeof asset.attrs['awsRoleArn'] === 'string') return true;
  return asset.type === 'Service' && typeof asset.attrs['audience'] === 'string';
}

const actionableByCatalog = new WeakMap<ReadonlyMap<string, CatalogEntity>, CatalogEntity[]>();

function actionableAssets(catalog: ReadonlyMap<string, CatalogEntity>): CatalogEntity[] {
  let list = actionableByCatalog.get(catalog);
  if (list === undefined) {
    list = [...catalog.values()]
      .filter((e) => e.type !== 'Role' && e.type !== 'Group' && actsOn(e))
      .sort((a, b) => compare(a.type, b.type) || compare(a.id, b.id));
    actionableByCatalog.set(catalog, list);
  }
  return list;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The catalog assets `grant` covers that clients act on (see actsOn), sorted by type then id, at
 * most MAX_COVERED_ASSETS. Clients cannot read the catalog; this is how they learn, for example,
 * which host groups to load SSH certificates for under a Role grant.
 */
export function coveredAssets(
  grant: GrantTarget,
  catalog: ReadonlyMap<string, CatalogEntity>,
): Array<{ type: string; id: string }> {
  const out: Array<{ type: string; id: string }> = [];
  for (const asset of actionableAssets(catalog)) {
    if (!covers(grant, asset)) continue;
    out.push({ type: asset.type, id: asset.id });
    if (out.length === MAX_COVERED_ASSETS) break;
  }
  return out;
}
