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
  // Fast path: a validated copy with members inserted in sorted order, serialized natively. V8
  // keeps insertion order for string keys, but puts integer-like keys first in numeric order (and
  // `__proto__` cannot be assigned as a plain member), so objects with such keys take the slow path.
  const copy = sortedCopy(value);
  return copy === slowPath ? exactJson(value) : JSON.stringify(copy);
}

const slowPath = Symbol('slowPath');
const integerLike = /^(?:0|[1-9][0-9]*)$/;

function sortedCopy(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      if (!Number.isFinite(value)) throw refuse('a non-finite number');
      return value;
    case 'object': {
      if (value === null) return null;
      if (Array.isArray(value)) {
        const items: unknown[] = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i];
          if (item === undefined) throw refuse('undefined inside an array');
          const copied = sortedCopy(item);
          if (copied === slowPath) return slowPath;
          items[i] = copied;
        }
        return items;
      }
      const record = plainObject(value);
      const keys = Object.keys(record).sort();
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        if (key === '__proto__' || integerLike.test(key)) return slowPath;
        const member = record[key];
        if (member === undefined) continue;
        const copied = sortedCopy(member);
        if (copied === slowPath) return slowPath;
        out[key] = copied;
      }
      return out;
    }
    default:
      throw refuse(`a value of type ${typeof value}`);
  }
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
