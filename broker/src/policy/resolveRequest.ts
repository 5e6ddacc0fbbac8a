import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import { BrokerError } from '../errors/BrokerError.js';
import type { AuthorizationRequest } from './authorizationRequestSchema.js';
import { authorizationRequestSchema } from './authorizationRequestSchema.js';
import type { ResolvedRequest } from './buildDecisionInputs.js';
import { uidKey } from './collectPolicyReads.js';
import type { CatalogEntity } from './parseCatalog.js';
import type { CedarSchemaInfo } from './readCedarSchema.js';
import { toCedarValue } from './toCedarValue.js';

/** The principal entity type every bundle must declare (users come from the store). */
export const principalType = 'User';

/**
 * Checks one request against the bundle (shape, schema, catalog) and resolves it: the principal
 * with every ancestor (its roles and groups and what the catalog says those are in), the catalog
 * entity of the resource, and the context in Cedar's JSON form. Bad input is an `invalid_request`
 * error listing every problem; a question the schema cannot ask (an action that does not apply to
 * that resource type, a resource not in the catalog) is answered with `notApplicable`.
 */
export function resolveRequest(
  input: AuthorizationRequest,
  schema: CedarSchemaInfo,
  catalog: ReadonlyMap<string, CatalogEntity>,
): { resolved: ResolvedRequest } | { notApplicable: string } {
  const parsed = authorizationRequestSchema.safeParse(input);
  if (!parsed.success) {
    throw new BrokerError(
      'invalid_request',
      `authorization request: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const { principal, action, resource, context } = parsed.data;
  const actionInfo = schema.actions.get(action);
  if (actionInfo === undefined) return { notApplicable: `unknown action "${action}"` };
  if (!actionInfo.principalTypes.includes(principalType))
    return { notApplicable: `action ${action} is not something a user does` };
  if (!actionInfo.resourceTypes.includes(resource.type)) {
    return {
      notApplicable: `action ${action} does not apply to ${resource.type} (it applies to ${actionInfo.resourceTypes.join(', ') || 'nothing'})`,
    };
  }
  const errors: string[] = [];
  const userInfo = schema.entityTypes.get(principalType);
  if (userInfo === undefined)
    throw new BrokerError('policy_invalid', `the schema has no ${principalType} entity type`);

  const ancestors = new Set<string>();
  const addParent = (type: string, id: string): void => {
    if (!userInfo.memberOfTypes.includes(type)) {
      errors.push(`principal: a ${principalType} cannot be in a ${type}`);
      return;
    }
    const key = uidKey(type, id);
    ancestors.add(key);
    for (const a of catalog.get(key)?.ancestors ?? []) ancestors.add(a);
  };
  for (const role of principal.roles) addParent('Role', role);
  for (const group of principal.groups) addParent('Group', group);
  const principalAttrs = toCedarValue(userInfo.shape, principal.attrs, 'principal.attrs', errors) as Record<
    string,
    CedarValueJson
  >;

  const resourceKey = uidKey(resource.type, resource.id);
  const known = catalog.get(resourceKey);
  let resourceAttrs: Record<string, CedarValueJson>;
  let resourceAncestors: readonly string[] = [];
  if (known !== undefined) {
    if (resource.attrs !== undefined)
      errors.push('resource.attrs: only for entities outside the catalog (the catalog describes this one)');
    resourceAttrs = { ...known.attrs };
    resourceAncestors = known.ancestors;
  } else if (resource.attrs !== undefined && !isCatalogType(resource.type, catalog, schema)) {
    const shape = schema.entityTypes.get(resource.type)?.shape;
    resourceAttrs =
      shape === undefined
        ? {}
        : (toCedarValue(shape, resource.attrs, 'resource.attrs', errors) as Record<string, CedarValueJson>);
  } else {
    return {
      notApplicable: `${resource.type}::${JSON.stringify(resource.id)} is not in the policy bundle's catalog`,
    };
  }
  const cedarContext = toCedarValue(actionInfo.context, context, 'context', errors) as Record<
    string,
    CedarValueJson
  >;
  if (errors.length > 0)
    throw new BrokerError('invalid_request', `authorization request: ${errors.join('; ')}`);
  return {
    resolved: {
      principal: { type: principalType, id: principal.id, attrs: principalAttrs, ancestors: [...ancestors] },
      action,
      actionAncestors: actionInfo.ancestors.map((a) => uidKey('Action', a)),
      resource: { type: resource.type, id: resource.id, attrs: resourceAttrs, ancestors: resourceAncestors },
      context: cedarContext,
    },
  };
}

/** Roles, groups and asset kinds are the catalog's to describe; a caller may not invent one. */
function isCatalogType(
  type: string,
  catalog: ReadonlyMap<string, CatalogEntity>,
  schema: CedarSchemaInfo,
): boolean {
  if (type === 'Role' || type === 'Group') return true;
  const shape = schema.entityTypes.get(type)?.shape;
  return shape?.attributes.has('tier') === true || [...catalog.values()].some((e) => e.type === type);
}
