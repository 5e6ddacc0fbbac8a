import { z } from 'zod';
import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { CedarSchemaInfo } from './readCedarSchema.js';
import { entityUidOf, toCedarValue } from './toCedarValue.js';
import { uidKey } from './collectPolicyReads.js';

/** An entity of the asset catalog in Cedar's JSON form, with its ancestors resolved once. */
export interface CatalogEntity {
  readonly type: string;
  readonly id: string;
  readonly key: string;
  readonly attrs: Readonly<Record<string, CedarValueJson>>;
  /** `uidKey`s of every ancestor (transitive), computed at load. */
  readonly ancestors: readonly string[];
}

const ref = z.union([z.string().min(1), z.strictObject({ type: z.string().min(1), id: z.string().min(1) })]);
const item = z.looseObject({ id: z.string().min(1), memberOf: z.array(ref).optional() });
const assetItem = item.extend({ type: z.string().min(1) });

/**
 * `catalog.json`: `{ roles: [...], groups: [...], assets: [...] }`. Each item is `id` (assets also
 * `type`, one of the schema's asset types), optional `memberOf` (parent ids; a bare id means the
 * type's only `memberOfTypes` entry) and its attributes, checked against the schema's entity shape.
 * Users are not in the catalog: they come from the store with each request.
 */
export const catalogFileSchema = z.strictObject({
  roles: z.array(item).default([]),
  groups: z.array(item).default([]),
  assets: z.array(assetItem).default([]),
});

export function parseCatalog(
  raw: unknown,
  schema: CedarSchemaInfo,
): { entities: Map<string, CatalogEntity>; errors: string[] } {
  const errors: string[] = [];
  const entities = new Map<string, CatalogEntity>();
  const parsed = catalogFileSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      entities,
      errors: parsed.error.issues.map((i) => `catalog.json: ${i.path.join('.')}: ${i.message}`),
    };
  }
  const direct = new Map<string, string[]>();
  const all: Array<{ type: string; item: z.infer<typeof item> }> = [
    ...parsed.data.roles.map((i) => ({ type: 'Role', item: i })),
    ...parsed.data.groups.map((i) => ({ type: 'Group', item: i })),
    ...parsed.data.assets.map((i) => ({ type: i.type, item: i })),
  ];
  for (const { type, item: entry } of all) {
    const where = `catalog.json: ${type}::${JSON.stringify(entry.id)}`;
    const info = schema.entityTypes.get(type);
    if (info === undefined) {
      errors.push(`${where}: entity type ${type} is not in the schema`);
      continue;
    }
    const key = uidKey(type, entry.id);
    if (entities.has(key)) {
      errors.push(`${where}: listed twice`);
      continue;
    }
    const { id, memberOf, type: _type, ...rest } = entry as typeof entry & { type?: string };
    void _type;
    if (info.shape.attributes.has('ref') && rest.ref === undefined) rest.ref = `${type}::${id}`;
    const attrs = toCedarValue(info.shape, rest, where, errors) as Record<string, CedarValueJson>;
    const parents: string[] = [];
    for (const parent of memberOf ?? []) {
      const only = info.memberOfTypes.length === 1 ? info.memberOfTypes[0] : undefined;
      const uid = entityUidOf(parent, only);
      if (uid === undefined || !info.memberOfTypes.includes(uid.type)) {
        errors.push(
          `${where}: memberOf ${JSON.stringify(parent)} is not one of ${info.memberOfTypes.join(', ') || '(none allowed)'}`,
        );
        continue;
      }
      parents.push(uidKey(uid.type, uid.id));
    }
    direct.set(key, parents);
    entities.set(key, { type, id, key, attrs, ancestors: [] });
  }
  for (const [key, entity] of entities) {
    entities.set(key, { ...entity, ancestors: ancestorsOf(key, direct) });
  }
  return { entities, errors };
}

/** Transitive parents through the catalog; a parent not in the catalog still counts (Cedar allows it). */
export function ancestorsOf(key: string, direct: ReadonlyMap<string, readonly string[]>): string[] {
  const out = new Set<string>();
  const queue = [...(direct.get(key) ?? [])];
  while (queue.length > 0) {
    const next = queue.pop() as string;
    if (out.has(next) || next === key) continue;
    out.add(next);
    queue.push(...(direct.get(next) ?? []));
  }
  return [...out];
}
