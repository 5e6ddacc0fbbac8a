import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { ResolvedRequest } from './buildDecisionInputs.js';
import { entityUidOf } from './toCedarValue.js';

/**
 * Fills `{…}` placeholders in a policy's @reason from the request, so a reason can name what the
 * developer has to get: `{principal}`, `{action}`, `{resource}` (as `Type::"id"`), `{resource.id}`,
 * `{resource.<attr>}`, `{principal.<attr>}`, `{context.<path>}`. Entity values print as their id,
 * sets as a comma-separated list. An unknown placeholder is left as written.
 */
export function renderReason(template: string, request: ResolvedRequest): string {
  return template.replace(/\{([A-Za-z_][A-Za-z0-9_.]*)\}/g, (whole, path: string) => {
    const [root, ...rest] = path.split('.');
    const value = lookup(root ?? '', rest, request);
    return value === undefined ? whole : format(value);
  });
}

function lookup(root: string, rest: string[], request: ResolvedRequest): CedarValueJson | undefined {
  if (root === 'action' && rest.length === 0) return request.action;
  if (root === 'principal' || root === 'resource') {
    const entity = request[root];
    if (rest.length === 0) return `${entity.type}::${JSON.stringify(entity.id)}`;
    if (rest.length === 1 && rest[0] === 'id') return entity.id;
    if (rest.length === 1 && rest[0] === 'type') return entity.type;
    return walk(entity.attrs, rest);
  }
  if (root === 'context') return walk(request.context, rest);
  return undefined;
}

function walk(value: CedarValueJson | undefined, path: readonly string[]): CedarValueJson | undefined {
  let v = value;
  for (const step of path) {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    v = (v as Record<string, CedarValueJson>)[step];
  }
  return v;
}

function format(value: CedarValueJson): string {
  if (Array.isArray(value)) return value.length === 0 ? '(none)' : value.map(format).join(', ');
  if (typeof value === 'object' && value !== null) {
    const uid = entityUidOf(value);
    if (uid !== undefined && '__entity' in value) return uid.id;
    if ('__extn' in value) return String((value.__extn as { arg?: unknown }).arg ?? '');
    return JSON.stringify(value);
  }
  return String(value);
}
