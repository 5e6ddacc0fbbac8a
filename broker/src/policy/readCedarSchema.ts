import { cedar } from './cedar.js';

/** A Cedar type with common types resolved, as the engine needs it to check and convert values. */
export type CedarType =
  | { readonly kind: 'String' }
  | { readonly kind: 'Long' }
  | { readonly kind: 'Bool' }
  | { readonly kind: 'Set'; readonly element: CedarType }
  | { readonly kind: 'Record'; readonly attributes: ReadonlyMap<string, CedarAttribute> }
  | { readonly kind: 'Entity'; readonly name: string }
  | { readonly kind: 'Extension'; readonly name: string };

export interface CedarAttribute {
  readonly type: CedarType;
  readonly required: boolean;
}

export type CedarRecordType = Extract<CedarType, { kind: 'Record' }>;

export interface CedarEntityTypeInfo {
  readonly memberOfTypes: readonly string[];
  readonly shape: CedarRecordType;
}

export interface CedarActionInfo {
  /** Transitive action groups this action is in (action ids, type `Action`). */
  readonly ancestors: readonly string[];
  readonly principalTypes: readonly string[];
  readonly resourceTypes: readonly string[];
  readonly context: CedarRecordType;
}

export interface CedarSchemaInfo {
  readonly entityTypes: ReadonlyMap<string, CedarEntityTypeInfo>;
  readonly actions: ReadonlyMap<string, CedarActionInfo>;
  /** Names of attributes whose type is an entity anywhere in the schema (see collectPolicyReads). */
  readonly entityAttributeNames: ReadonlySet<string>;
}

export type ReadCedarSchemaResult = { ok: true; info: CedarSchemaInfo } | { ok: false; errors: string[] };

interface RawType {
  type: string;
  element?: RawType;
  attributes?: Record<string, RawType & { required?: boolean }>;
  name?: string;
}

const emptyRecord: CedarRecordType = { kind: 'Record', attributes: new Map() };
const primitive = new Set(['String', 'Long', 'Bool', 'Boolean']);
const extensions = new Set(['ipaddr', 'decimal', 'datetime', 'duration']);

/**
 * Reads a Cedar schema (human syntax) into the facts the slicer and the value converter need.
 * Bundles use the empty namespace: entity and action names are unqualified.
 */
export function readCedarSchema(text: string): ReadCedarSchemaResult {
  const answer = cedar.schemaToJsonWithResolvedTypes(text);
  if (answer.type === 'failure')
    return { ok: false, errors: answer.errors.map((e) => `schema: ${e.message}`) };
  const namespaces = Object.keys(answer.json);
  const ns = answer.json[''];
  if (namespaces.length !== 1 || ns === undefined) {
    return {
      ok: false,
      errors: ['schema: declare everything in the empty namespace (no `namespace` blocks)'],
    };
  }
  const errors: string[] = [];
  const common = (ns.commonTypes ?? {}) as Record<string, RawType>;
  const entityAttributeNames = new Set<string>();

  const resolve = (raw: RawType, depth: number, attrName?: string): CedarType => {
    if (depth > 32) {
      errors.push('schema: common types nest too deeply');
      return { kind: 'String' };
    }
    if (primitive.has(raw.type))
      return raw.type === 'String'
        ? { kind: 'String' }
        : raw.type === 'Long'
          ? { kind: 'Long' }
          : { kind: 'Bool' };
    if (raw.type === 'Set' && raw.element) return { kind: 'Set', element: resolve(raw.element, depth + 1) };
    if (raw.type === 'Record') return resolveRecord(raw, depth + 1);
    if (
      (raw.type === 'Entity' || raw.type === 'EntityOrCommon') &&
      raw.name !== undefined &&
      common[raw.name] === undefined
    ) {
      if (attrName !== undefined) entityAttributeNames.add(attrName);
      return { kind: 'Entity', name: raw.name };
    }
    if (raw.type === 'Extension' && raw.name !== undefined) return { kind: 'Extension', name: raw.name };
    if (extensions.has(raw.type)) return { kind: 'Extension', name: raw.type };
    const named = common[raw.name ?? raw.type];
    if (named !== undefined) return resolve(named, depth + 1, attrName);
    errors.push(`schema: cannot resolve type ${JSON.stringify(raw.type)}`);
    return { kind: 'String' };
  };
  const resolveRecord = (raw: RawType, depth: number): CedarRecordType => {
    const attributes = new Map<string, CedarAttribute>();
    for (const [name, attr] of Object.entries(raw.attributes ?? {})) {
      attributes.set(name, { type: resolve(attr, depth, name), required: attr.required !== false });
    }
    return { kind: 'Record', attributes };
  };
  const asRecord = (raw: RawType | undefined): CedarRecordType => {
    if (raw === undefined) return emptyRecord;
    const t = resolve(raw, 0);
    return t.kind === 'Record' ? t : emptyRecord;
  };

  const entityTypes = new Map<string, CedarEntityTypeInfo>();
  for (const [name, def] of Object.entries(ns.entityTypes)) {
    const standard = def as { memberOfTypes?: string[]; shape?: RawType };
    entityTypes.set(name, { memberOfTypes: standard.memberOfTypes ?? [], shape: asRecord(standard.shape) });
  }
  const parents = new Map<string, string[]>();
  for (const [name, def] of Object.entries(ns.actions))
    parents.set(
      name,
      (def.memberOf ?? []).map((m) => m.id),
    );
  const actions = new Map<string, CedarActionInfo>();
  for (const [name, def] of Object.entries(ns.actions)) {
    const ancestors = new Set<string>();
    const queue = [...(parents.get(name) ?? [])];
    while (queue.length > 0) {
      const next = queue.pop() as string;
      if (ancestors.has(next)) continue;
      ancestors.add(next);
      queue.push(...(parents.get(next) ?? []));
    }
    actions.set(name, {
      ancestors: [...ancestors],
      principalTypes: def.appliesTo?.principalTypes ?? [],
      resourceTypes: def.appliesTo?.resourceTypes ?? [],
      context: asRecord(def.appliesTo?.context as RawType | undefined),
    });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, info: { entityTypes, actions, entityAttributeNames } };
}
