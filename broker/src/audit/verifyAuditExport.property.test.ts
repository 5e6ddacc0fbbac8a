import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { AuditEventInput } from './AuditEvent.js';
import type { AuditSigner } from './AuditSigner.js';
import { buildAuditExport, makeAuditSigner, verifyLines } from './auditTestSupport.js';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const leaf = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.boolean(), fc.constant(null));
const data = fc.dictionary(
  fc.stringMatching(/^[a-zA-Z][a-zA-Z0-9]{0,7}$/),
  fc.oneof(leaf, fc.array(leaf, { maxLength: 3 })),
  {
    maxKeys: 4,
  },
);
const event: fc.Arbitrary<AuditEventInput> = fc.record(
  {
    classUid: fc.constantFrom(3001, 3002, 6003),
    activityId: fc.integer({ min: 0, max: 99 }),
    activity: fc.constantFrom('login', 'enroll', 'token.refresh', 'user.lock'),
    statusId: fc.constantFrom(1, 2),
    actor: fc.record(
      { kind: fc.constantFrom('user', 'admin', 'broker', 'anonymous'), userId: fc.uuid() },
      { requiredKeys: ['kind'] },
    ),
    time: fc.integer({ min: 0, max: 2 ** 45 }),
    severityId: fc.integer({ min: 0, max: 6 }),
    data,
  },
  { requiredKeys: ['classUid', 'activityId', 'activity', 'statusId', 'actor', 'time'] },
);

/** One change an attacker (or a bad disk) could make to the lines of an export. */
type Mutation =
  | { kind: 'edit'; line: number; pick: number; salt: number }
  | { kind: 'delete'; line: number }
  | { kind: 'swap'; a: number; b: number }
  | { kind: 'duplicate'; line: number }
  | { kind: 'truncate'; keep: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('edit' as const),
    line: fc.nat(),
    pick: fc.nat(),
    salt: fc.integer({ min: 1, max: 1000 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('duplicate' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('truncate' as const), keep: fc.nat() }),
);

/** Every leaf of a JSON value, as a setter that replaces it with a different value. */
function leaves(value: Json, set: (v: Json) => void, out: ((salt: number) => void)[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, (n) => (value[i] = n), out));
  else if (value !== null && typeof value === 'object') {
    for (const key of Object.keys(value)) leaves(value[key] ?? null, (n) => (value[key] = n), out);
  } else {
    out.push((salt) => set(changed(value, salt)));
  }
}

function changed(value: Json, salt: number): Json {
  if (typeof value === 'number') return value + salt;
  if (typeof value === 'string') return `${value}${String.fromCharCode(97 + (salt % 26))}`;
  if (typeof value === 'boolean') return !value;
  return salt;
}

function apply(lines: string[], m: Mutation): string[] {
  const out = [...lines];
  const at = (n: number) => n % out.length;
  switch (m.kind) {
    case 'edit': {
      const i = at(m.line);
      const obj = JSON.parse(out[i] ?? 'null') as Json;
      const setters: ((salt: number) => void)[] = [];
      leaves(obj, () => undefined, setters);
      setters[m.pick % setters.length]?.(m.salt);
      out[i] = JSON.stringify(obj);
      return out;
    }
    case 'delete':
      out.splice(at(m.line), 1);
      return out;
    case 'swap': {
      const [a, b] = [at(m.a), at(m.b) === at(m.a) ? at(m.b + 1) : at(m.b)];
      [out[a], out[b]] = [out[b] ?? '', out[a] ?? ''];
      return out;
    }
    case 'duplicate': {
      const i = at(m.line);
      out.splice(i, 0, out[i] ?? '');
      return out;
    }
    case 'truncate':
      return out.slice(0, m.keep % out.length);
  }
}

describe('audit verify (property)', () => {
  let signer: AuditSigner;
  beforeAll(async () => {
    signer = await makeAuditSigner();
  });

  it('passes every untouched export', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { maxLength: 25 }),
        fc.integer({ min: 1, max: 8 }),
        async (events, every) => {
          const lines = await buildAuditExport(events, signer, (seq) => seq % every === 0);
          const result = await verifyLines(lines);
          expect(result).toMatchObject({ ok: true, records: events.length });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('fails every export with one mutation', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(event, { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 8 }),
        mutation,
        async (events, every, m) => {
          const lines = await buildAuditExport(events, signer, (seq) => seq % every === 0);
          const mutated = apply(lines, m);
          fc.pre(mutated.join('\n') !== lines.join('\n'));
          const result = await verifyLines(mutated);
          expect(result.ok).toBe(false);
        },
      ),
      { numRuns: 600 },
    );
  });
});
