import type { CedarValueJson, Context, EntityJson, TypeAndId } from '@cedar-policy/cedar-wasm/nodejs';
import type { PathTree, PolicyReads } from './collectPolicyReads.js';
import { uidKey } from './collectPolicyReads.js';
import type { CatalogEntity } from './parseCatalog.js';
import { entityUidOf } from './toCedarValue.js';

/** An entity of one request, already converted to Cedar JSON, with all its ancestors. */
export interface RequestEntity {
  readonly type: string;
  readonly id: string;
  readonly attrs: Readonly<Record<string, CedarValueJson>>;
  readonly ancestors: readonly string[];
}

/** Everything a decision is about, before it is cut down to what one policy set can read. */
export interface ResolvedRequest {
  readonly principal: RequestEntity;
  readonly action: string;
  /** `uidKey`s of the action's groups. */
  readonly actionAncestors: readonly string[];
  readonly resource: RequestEntity;
  readonly context: Record<string, CedarValueJson>;
}

/**
 * Cuts a request down to what `reads` says the policy set can observe (collectPolicyReads): the
 * context paths and attributes it reads, the ancestors it can test with `in`, and (only when a
 * policy dereferences an entity-valued attribute) the catalog entities one hop away. Cedar's cost
 * is per value and per entity passed, so this is what keeps a decision cheap.
 */
export function buildDecisionInputs(
  request: ResolvedRequest,
  reads: PolicyReads,
  catalog: ReadonlyMap<string, CatalogEntity>,
): { entities: EntityJson[]; context: Context } {
  const context = project(request.context, reads.context) as Context;
  const principalAttrs = project(request.principal.attrs, reads.principalAttrs) as Record<
    string,
    CedarValueJson
  >;
  const resourceAttrs = project(request.resource.attrs, reads.resourceAttrs) as Record<
    string,
    CedarValueJson
  >;
  let reachable: Set<string> | undefined;
  if (reads.dynamicIn || reads.derefsEntities) {
    reachable = new Set();
    for (const v of [context, principalAttrs, resourceAttrs]) collectUids(v, reachable);
  }
  const keep = (ancestors: readonly string[]): TypeAndId[] =>
    ancestors
      .filter((k) => reads.literalUids.has(k) || (reads.dynamicIn && reachable?.has(k) === true))
      .map(uidFromKey);

  const entities: EntityJson[] = [];
  const add = (
    type: string,
    id: string,
    attrs: Record<string, CedarValueJson>,
    parents: TypeAndId[],
    treeRead: boolean,
  ): void => {
    // An entity with nothing readable and no parents that matter behaves the same absent.
    if (!treeRead && parents.length === 0) return;
    entities.push({ uid: { type, id }, attrs, parents });
  };
  const { principal, resource } = request;
  add(principal.type, principal.id, principalAttrs, keep(principal.ancestors), isRead(reads.principalAttrs));
  add(resource.type, resource.id, resourceAttrs, keep(resource.ancestors), isRead(reads.resourceAttrs));
  add('Action', request.action, {}, keep(request.actionAncestors), false);
  if (reads.derefsEntities && reachable !== undefined) {
    const own = new Set([uidKey(principal.type, principal.id), uidKey(resource.type, resource.id)]);
    for (const key of reachable) {
      const hop = catalog.get(key);
      if (hop !== undefined && !own.has(key))
        entities.push({
          uid: { type: hop.type, id: hop.id },
          attrs: { ...hop.attrs },
          parents: keep(hop.ancestors),
        });
    }
  }
  return { entities, context };
}

export function uidFromKey(key: string): TypeAndId {
  const at = key.indexOf('::');
  return { type: key.slice(0, at), id: JSON.parse(key.slice(at + 2)) as string };
}

function isRead(tree: PathTree): boolean {
  return tree.whole || tree.children.size > 0;
}

function project(value: CedarValueJson, tree: PathTree): CedarValueJson {
  if (tree.whole) return value;
  if (!isPlainRecord(value)) return value;
  const record = value as Record<string, CedarValueJson>;
  const out: Record<string, CedarValueJson> = {};
  for (const [name, child] of tree.children) {
    const v = record[name];
    if (v !== undefined) out[name] = project(v, child);
  }
  return out;
}

function isPlainRecord(value: CedarValueJson): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !('__entity' in value) &&
    !('__extn' in value)
  );
}

function collectUids(value: CedarValueJson, into: Set<string>): void {
  if (typeof value !== 'object' || value === null) return;
  if (!Array.isArray(value) && '__entity' in value) {
    const uid = entityUidOf(value);
    if (uid !== undefined) into.add(uidKey(uid.type, uid.id));
    return;
  }
  for (const v of Object.values(value)) collectUids(v, into);
}
