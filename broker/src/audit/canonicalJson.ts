import { BrokerError } from '../errors/BrokerError.js';

/**
 * Deterministic JSON in the style of RFC 8785 (JCS): object members sorted by their UTF-16 code
 * units (§3.2.3), no whitespace, strings and numbers serialized as ECMAScript's JSON.stringify does
 * (§3.2.2). Members whose value is `undefined` are left out, as JSON.stringify does, so a record
 * hashes the same before it is stored and after it is read back. Anything JSON cannot represent
 * faithfully (NaN, Infinity, bigint, functions, Dates, class instances, `undefined` in arrays) is
 * refused rather than silently changed: a hash over a lossy encoding would not survive a round trip.
 */
export function canonicalJson(value: unknown): string {
  // Fast path: make every object hold its members in sorted order, copying only the objects that
  // do not already (the audit log builds its records in order), then serialize natively. V8 keeps
  // insertion order for string keys but puts integer-like keys first in numeric order, and
  // `__proto__` cannot be assigned as a plain member, so values with such keys take the slow path.
  const ordered = inOrder(value);
  return ordered === slowPath ? exactJson(value) : JSON.stringify(ordered);
}

/**
 * `value` with every object's members in canonical order (copying only objects that are not), for
 * callers that build records once and encode them later; checks values as canonicalJson does.
 * Values with keys V8 would reorder are returned as they are (canonicalJson encodes them exactly).
 */
export function canonicalOrder<T>(value: T): T {
  const ordered = inOrder(value);
  return ordered === slowPath ? value : (ordered as T);
}

const slowPath = Symbol('slowPath');
const integerLike = /^(?:0|[1-9][0-9]*)$/;

/** Checks every value (throwing on what JSON cannot carry); returns it with members sorted. */
function inOrder(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw refuse('a non-finite number');
      return value;
    case 'object':
      if (value === null) return null;
      return Array.isArray(value) ? arrayInOrder(value) : objectInOrder(plainObject(value));
    default:
      throw refuse(`a value of type ${typeof value}`);
  }
}

function arrayInOrder(items: readonly unknown[]): unknown {
  let copy: unknown[] | undefined;
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) throw refuse('undefined inside an array');
    const ordered = inOrder(item);
    if (ordered === slowPath) return slowPath;
    if (ordered !== item) (copy ??= [...items])[i] = ordered;
  }
  return copy ?? items;
}

function objectInOrder(record: Record<string, unknown>): unknown {
  const keys = Object.keys(record);
  let sorted = true;
  let previous: string | undefined;
  let members: unknown[] | undefined;
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i] as string;
    if (key === '__proto__' || isIndexLike(key)) return slowPath;
    const member = record[key];
    // JSON.stringify leaves out undefined members itself, wherever they stand.
    if (member === undefined) continue;
    // Default string comparison is by UTF-16 code units, as RFC 8785 §3.2.3 sorts.
    if (previous !== undefined && key < previous) sorted = false;
    previous = key;
    const ordered = inOrder(member);
    if (ordered === slowPath) return slowPath;
    if (ordered !== member) (members ??= keys.map((k) => record[k]))[i] = ordered;
  }
  if (sorted && !members) return record;
  const order = keys.map((_, i) => i);
  if (!sorted) order.sort((a, b) => ((keys[a] as string) < (keys[b] as string) ? -1 : 1));
  const out: Record<string, unknown> = {};
  for (const i of order) out[keys[i] as string] = members ? members[i] : record[keys[i] as string];
  return out;
}

function isIndexLike(key: string): boolean {
  const c = key.charCodeAt(0);
  return c >= 48 && c <= 57 && integerLike.test(key);
}

/** The reference encoder, member by member; also the fallback for keys V8 would reorder. */
export function exactJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw refuse('a non-finite number');
      return JSON.stringify(value);
    case 'object':
      if (value === null) return 'null';
      return Array.isArray(value) ? arrayOf(value) : objectOf(value);
    default:
      throw refuse(`a value of type ${typeof value}`);
  }
}

function plainObject(value: object): Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw refuse('an object that is not a plain object');
  return value as Record<string, unknown>;
}

// String concatenation rather than map/join: this runs for every audit record appended or verified.
function arrayOf(items: readonly unknown[]): string {
  let out = '[';
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (item === undefined) throw refuse('undefined inside an array');
    out += i === 0 ? exactJson(item) : `,${exactJson(item)}`;
  }
  return `${out}]`;
}

function objectOf(value: object): string {
  const record = plainObject(value);
  // Default sort compares UTF-16 code units, exactly what RFC 8785 §3.2.3 asks for.
  const keys = Object.keys(record).sort();
  let out = '{';
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    out += `${out.length === 1 ? '' : ','}${JSON.stringify(key)}:${exactJson(member)}`;
  }
  return `${out}}`;
}

function refuse(what: string): BrokerError {
  return new BrokerError('invalid_request', `audit data cannot hold ${what}`);
}
