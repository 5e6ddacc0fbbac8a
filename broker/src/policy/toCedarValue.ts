import { isIP } from 'node:net';
import type { CedarValueJson } from '@cedar-policy/cedar-wasm/nodejs';
import type { CedarType } from './readCedarSchema.js';

/**
 * Checks a plain JSON value against a schema type and converts it to Cedar's JSON value form
 * (`__entity` for entity references, `__extn` for extension values). Decisions are evaluated
 * without handing Cedar the schema (that costs per value), so this is where request context and
 * catalog attributes are held to the schema: records are closed (an unknown attribute is an
 * error), required attributes must be present, and nothing is coerced.
 *
 * Entity references may be written `{ "type": "Role", "id": "x" }`, `{ "__entity": {…} }`, or as a
 * bare id string when the schema names the entity type.
 */
export function toCedarValue(
  type: CedarType,
  value: unknown,
  path: string,
  errors: string[],
): CedarValueJson {
  switch (type.kind) {
    case 'String':
      if (typeof value !== 'string') errors.push(`${path}: expected a string`);
      return value as string;
    case 'Long':
      if (typeof value !== 'number' || !Number.isSafeInteger(value))
        errors.push(`${path}: expected an integer`);
      return value as number;
    case 'Bool':
      if (typeof value !== 'boolean') errors.push(`${path}: expected true or false`);
      return value as boolean;
    case 'Set': {
      if (!Array.isArray(value)) {
        errors.push(`${path}: expected an array`);
        return [];
      }
      return value.map((v, i) => toCedarValue(type.element, v, `${path}[${i}]`, errors));
    }
    case 'Record': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        errors.push(`${path}: expected an object`);
        return {};
      }
      const input = value as Record<string, unknown>;
      const out: Record<string, CedarValueJson> = {};
      for (const [name, attr] of type.attributes) {
        const v = input[name];
        if (v === undefined) {
          if (attr.required) errors.push(`${path}.${name}: required`);
          continue;
        }
        out[name] = toCedarValue(attr.type, v, `${path}.${name}`, errors);
      }
      for (const name of Object.keys(input)) {
        if (!type.attributes.has(name)) errors.push(`${path}.${name}: not in the schema`);
      }
      return out;
    }
    case 'Entity': {
      const uid = entityUidOf(value, type.name);
      if (uid === undefined || uid.type !== type.name) {
        errors.push(`${path}: expected a ${type.name} reference`);
        return null;
      }
      return { __entity: uid };
    }
    case 'Extension':
      return extensionValue(type.name, value, path, errors);
  }
}

/** Reads an entity reference in any of the accepted spellings. */
export function entityUidOf(value: unknown, defaultType?: string): { type: string; id: string } | undefined {
  if (typeof value === 'string')
    return defaultType === undefined ? undefined : { type: defaultType, id: value };
  if (typeof value !== 'object' || value === null) return undefined;
  const inner = '__entity' in value ? (value as { __entity: unknown }).__entity : value;
  if (typeof inner !== 'object' || inner === null) return undefined;
  const { type, id } = inner as { type?: unknown; id?: unknown };
  return typeof type === 'string' && typeof id === 'string' ? { type, id } : undefined;
}

function extensionValue(name: string, value: unknown, path: string, errors: string[]): CedarValueJson {
  if (typeof value === 'object' && value !== null && '__extn' in value) return value as CedarValueJson;
  if (typeof value !== 'string') {
    errors.push(`${path}: expected a ${name} string`);
    return null;
  }
  if (name === 'ipaddr' && !isIpOrRange(value)) errors.push(`${path}: not an IP address or CIDR range`);
  if (name === 'decimal' && !/^-?\d+\.\d{1,4}$/.test(value))
    errors.push(`${path}: not a decimal (e.g. "1.25")`);
  const fn = name === 'ipaddr' ? 'ip' : name;
  return { __extn: { fn, arg: value } };
}

function isIpOrRange(value: string): boolean {
  const [addr, prefix, extra] = value.split('/');
  if (extra !== undefined || addr === undefined) return false;
  const family = isIP(addr);
  if (family === 0) return false;
  if (prefix === undefined) return true;
  const n = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && n <= (family === 4 ? 32 : 128);
}
