import type { PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { CedarSchemaInfo } from './readCedarSchema.js';
import { entityUidOf } from './toCedarValue.js';
import { uidKey } from './collectPolicyReads.js';

/** The principal key of policies whose scope names no principal entity (`principal`, `principal is T`). */
export const anyPrincipal = '*';

export interface PolicyScope {
  /** `uidKey` of the entity the principal must be or be in, or `anyPrincipal`. */
  readonly principalKey: string;
  /** Every (action, resource type) request environment the scope admits, per the schema. */
  readonly environments: ReadonlyArray<readonly [action: string, resourceType: string]>;
  /**
   * The resource entity the scope names (`resource == E`, `resource in E`, `resource is T in E`):
   * the policy can only apply to E itself (`==`) or to E and what is in E (`in`).
   */
  readonly resource?: ResourceScope;
}

export interface ResourceScope {
  readonly op: '==' | 'in';
  /** `uidKey` of E. */
  readonly key: string;
}

/**
 * Where a policy can apply, from its scope and the schema. Cedar evaluates every policy it is
 * given, so the engine files each policy under the (action, resource type, principal key) slices
 * its scope admits and hands Cedar only the slices a request can reach. This is exact for the
 * scope: it never drops a policy that could apply (the property test compares with the whole set).
 */
export function scopeOfPolicy(policy: PolicyJson, schema: CedarSchemaInfo): PolicyScope | string {
  const principal = policy.principal as {
    op: string;
    entity?: unknown;
    in?: { entity?: unknown };
    slot?: string;
  };
  if ('slot' in principal || ('in' in principal && principal.in !== undefined && 'slot' in principal.in))
    return 'templates (slots) are not supported in bundles';
  const principalEntity = entityUidOf(principal.entity ?? principal.in?.entity);
  const principalKey =
    principalEntity === undefined ? anyPrincipal : uidKey(principalEntity.type, principalEntity.id);

  const actions = actionsOf(policy, schema);
  const environments: Array<readonly [string, string]> = [];
  for (const action of actions) {
    const info = schema.actions.get(action);
    if (info === undefined) continue;
    for (const resourceType of info.resourceTypes) {
      if (resourceAdmits(policy, resourceType, schema)) environments.push([action, resourceType]);
    }
  }
  const resource = resourceScopeOf(policy);
  return { principalKey, environments, ...(resource === undefined ? {} : { resource }) };
}

function resourceScopeOf(policy: PolicyJson): ResourceScope | undefined {
  const r = policy.resource as { op: string; entity?: unknown; in?: { entity?: unknown } };
  const entity = entityUidOf(r.op === 'is' ? r.in?.entity : r.entity);
  if (entity === undefined) return undefined;
  return { op: r.op === '==' ? '==' : 'in', key: uidKey(entity.type, entity.id) };
}

/** Whether a policy with this resource scope can apply to a resource with `key` and `ancestors`. */
export function resourceScopeAdmits(
  scope: ResourceScope | undefined,
  key: string,
  ancestors: readonly string[],
): boolean {
  if (scope === undefined || scope.key === key) return true;
  return scope.op === 'in' && ancestors.includes(scope.key);
}

function actionsOf(policy: PolicyJson, schema: CedarSchemaInfo): string[] {
  const a = policy.action as { op: string; entity?: unknown; entities?: unknown[] };
  if (a.op === 'All') return [...schema.actions.keys()];
  const named = [a.entity, ...(a.entities ?? [])]
    .map((e) => entityUidOf(e)?.id)
    .filter((id): id is string => id !== undefined);
  if (a.op === '==') return named;
  return [...schema.actions]
    .filter(([name, info]) => named.includes(name) || info.ancestors.some((x) => named.includes(x)))
    .map(([name]) => name);
}

function resourceAdmits(policy: PolicyJson, resourceType: string, schema: CedarSchemaInfo): boolean {
  const r = policy.resource as {
    op: string;
    entity?: unknown;
    entity_type?: string;
    in?: { entity?: unknown };
  };
  if (r.op === 'All') return true;
  if (r.op === 'is') {
    if (r.entity_type !== resourceType) return false;
    const within = entityUidOf(r.in?.entity);
    return within === undefined || canBeIn(resourceType, within.type, schema);
  }
  const entity = entityUidOf(r.entity);
  if (entity === undefined) return true;
  if (r.op === '==') return entity.type === resourceType;
  return canBeIn(resourceType, entity.type, schema);
}

/** Whether an entity of type `child` can be `in` an entity of type `ancestor` (itself, or through memberOfTypes). */
function canBeIn(child: string, ancestor: string, schema: CedarSchemaInfo): boolean {
  const seen = new Set<string>();
  const queue = [child];
  while (queue.length > 0) {
    const t = queue.pop() as string;
    if (t === ancestor) return true;
    if (seen.has(t)) continue;
    seen.add(t);
    queue.push(...(schema.entityTypes.get(t)?.memberOfTypes ?? []));
  }
  return false;
}

/**
 * The policy with the scope constraints that slicing has already decided left out: `principal in
 * E`, `action in …` and `resource in E` (and the `in E` of `is T in E`). A sliced set only ever
 * holds candidates of requests that these constraints admit (the principal's slice keys are its own
 * uid and every ancestor; the environment is the request's action and resource type, action
 * groups expanded; `resourceScopeAdmits` checks `resource in E`), so Cedar would find them true.
 * Without them Cedar needs no ancestors to decide the scope: fewer entities and parents to pass.
 * `==` constraints stay (they cost Cedar no input; a `principal == Role::…` filed under an
 * ancestor key must still be false for a User). Only for sliced sets: the whole set keeps every
 * constraint.
 */
export function withoutSlicedScope(policy: PolicyJson): PolicyJson {
  return {
    ...policy,
    principal: withoutIn(policy.principal) as PolicyJson['principal'],
    action: (policy.action.op === 'in' ? { op: 'All' } : policy.action) as PolicyJson['action'],
    resource: withoutIn(policy.resource) as PolicyJson['resource'],
  };
}

function withoutIn(constraint: PolicyJson['principal'] | PolicyJson['resource']): unknown {
  const c = constraint as { op: string; entity_type?: string; in?: unknown; slot?: unknown };
  if (c.op === 'in' && !('slot' in c)) return { op: 'All' };
  if (c.op === 'is' && c.in !== undefined) return { op: 'is', entity_type: c.entity_type };
  return constraint;
}
