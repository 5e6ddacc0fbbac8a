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
      if (Array.isArray(value)) return `[${value.map(itemOf).join(',')}]`;
      return objectOf(value);
    default:
      throw refuse(`a value of type ${typeof value}`);
  }
}

function itemOf(item: unknown): string {
  if (item === undefined) throw refuse('undefined inside an array');
  return canonicalJson(item);
}

function objectOf(value: object): string {
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw refuse('an object that is not a plain object');
  const record = value as Record<string, unknown>;
  // Default sort compares UTF-16 code units, exactly what RFC 8785 §3.2.3 asks for.
  const keys = Object.keys(record).sort();
  const members: string[] = [];
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    members.push(`${JSON.stringify(key)}:${canonicalJson(member)}`);
  }
  return `{${members.join(',')}}`;
}

function refuse(what: string): BrokerError {
  return new BrokerError('invalid_request', `audit data cannot hold ${what}`);
}
