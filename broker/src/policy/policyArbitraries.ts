import fc from 'fast-check';
import type { AuthorizationRequest } from './authorizationRequestSchema.js';

/**
 * Random bundles and requests for the property tests: a small schema with roles, groups, action
 * groups and two asset types, and policies drawn from scopes and conditions that always validate.
 * Small on purpose: every bundle goes through Cedar's validator.
 */
export const propertySchema = `
entity Role;
entity Group in [Role];
entity User in [Role, Group];
entity Box { tier: String, roles: Set<Role>, level: Long, ref: String };
entity Doc in [Box] { tier: String, roles: Set<Role>, level: Long, ref: String };
type Ctx = { mfaAge: Long, trusted: Bool, grants: Set<Role> };
action use;
action read, write in [use] appliesTo { principal: User, resource: [Doc, Box], context: Ctx };
action share appliesTo { principal: User, resource: [Doc], context: Ctx };
`;

const roles = ['r0', 'r1', 'r2', 'r3'];
const groups = ['g0', 'g1'];
const users = ['u0', 'u1', 'u2'];
const docs = ['d0', 'd1', 'd2'];
const boxes = ['b0', 'b1'];
const tiers = ['public', 'internal', 'restricted'];

const principalScope = fc.constantFrom(
  'principal',
  'principal is User',
  ...roles.map((r) => `principal in Role::"${r}"`),
  ...groups.map((g) => `principal in Group::"${g}"`),
  ...users.map((u) => `principal == User::"${u}"`),
);
const actionScope = fc.constantFrom(
  'action',
  'action == Action::"read"',
  'action == Action::"write"',
  'action in [Action::"read", Action::"share"]',
  'action in Action::"use"',
  'action == Action::"share"',
);
const resourceScope = fc.constantFrom(
  'resource',
  'resource is Doc',
  'resource is Box',
  ...docs.map((d) => `resource == Doc::"${d}"`),
  `resource == Box::"${boxes[0]}"`,
  // Docs d0 and d1 are in boxes b0 and b1 (catalogJson): `in` scopes reach through the hierarchy.
  ...boxes.map((b) => `resource in Box::"${b}"`),
  `resource is Doc in Box::"${boxes[1]}"`,
);
const condition = fc.constantFrom(
  'true',
  'resource.tier == "public"',
  'resource.tier == "internal"',
  'resource.tier == "restricted"',
  'principal in resource.roles',
  'context.grants.containsAny(resource.roles)',
  'context.trusted',
  'context.mfaAge <= 900',
  'resource.level > 2',
  `principal in Role::"r1"`,
  'resource.ref like "Doc::*"',
  // Overflows (an evaluation error) for level >= 1: errors must come out the same however sliced.
  'resource.level * 2000000000000000 * 5000 > 0',
  // Beyond 2^53: the policy's JSON form is not exact in JavaScript, so it is handed over as text.
  'resource.level < 9223372036854775807',
);
const clause = fc.tuple(fc.constantFrom('when', 'unless'), condition).map(([k, c]) => `${k} { ${c} }`);

export const policyText = (id: string): fc.Arbitrary<string> =>
  fc
    .tuple(
      fc.constantFrom('permit', 'forbid'),
      principalScope,
      actionScope,
      resourceScope,
      fc.array(clause, { minLength: 0, maxLength: 3 }),
      fc.boolean(),
    )
    .map(
      ([effect, p, a, r, clauses, withReason]) =>
        `@id("${id}")${withReason ? ` @reason("${id} says {resource}")` : ''}\n${effect} (${p}, ${a}, ${r})\n${clauses.join('\n')};`,
    );

export const policiesText = (prefix: string, min: number, max: number): fc.Arbitrary<string[]> =>
  fc
    .integer({ min, max })
    .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => policyText(`${prefix}${i}`))));

export const catalogJson = fc
  .tuple(
    fc.array(fc.constantFrom(...roles), { maxLength: 2 }),
    fc.array(fc.constantFrom(...roles), { maxLength: 2 }),
    fc.array(
      fc.tuple(
        fc.constantFrom(...tiers),
        fc.array(fc.constantFrom(...roles), { maxLength: 2 }),
        fc.integer({ min: 0, max: 5 }),
      ),
      { minLength: docs.length + boxes.length, maxLength: docs.length + boxes.length },
    ),
  )
  .map(([g0, g1, assets]) => ({
    roles: roles.map((id) => ({ id })),
    groups: [
      { id: 'g0', memberOf: [...new Set(g0)] },
      { id: 'g1', memberOf: [...new Set(g1)] },
    ],
    assets: [
      ...docs.map((id, i) => ({ type: 'Doc', id, ...(i < boxes.length ? { memberOf: [boxes[i]] } : {}) })),
      ...boxes.map((id) => ({ type: 'Box', id })),
    ].map((a, i) => {
      const [tier, assetRoles, level] = assets[i] ?? ['public', [], 0];
      return { ...a, tier, roles: [...new Set(assetRoles)], level };
    }),
  }));

export const requestArb: fc.Arbitrary<AuthorizationRequest> = fc
  .record({
    user: fc.constantFrom(...users),
    userRoles: fc.array(fc.constantFrom(...roles), { maxLength: 2 }),
    userGroups: fc.array(fc.constantFrom(...groups), { maxLength: 2 }),
    action: fc.constantFrom('read', 'write', 'share'),
    resource: fc.constantFrom(
      ...docs.map((id) => ({ type: 'Doc', id })),
      ...boxes.map((id) => ({ type: 'Box', id })),
    ),
    mfaAge: fc.integer({ min: 0, max: 2000 }),
    trusted: fc.boolean(),
    grants: fc.array(fc.constantFrom(...roles), { maxLength: 2 }),
  })
  .map((r) => ({
    // `share` applies to Doc only; other combinations are answered without Cedar (not applicable).
    ...r,
    action: r.action === 'share' && r.resource.type !== 'Doc' ? 'read' : r.action,
  }))
  .map((r) => ({
    principal: { id: r.user, roles: [...new Set(r.userRoles)], groups: [...new Set(r.userGroups)] },
    action: r.action,
    resource: r.resource,
    context: { mfaAge: r.mfaAge, trusted: r.trusted, grants: [...new Set(r.grants)] },
  }));

/** The files of a bundle with these policies and catalog. */
export function bundleFiles(
  policies: readonly string[],
  catalog: unknown,
  extra: Record<string, string> = {},
): Map<string, string> {
  return new Map([
    ['bundle.json', JSON.stringify({ name: 'random' })],
    ['schema.cedarschema', propertySchema],
    ['policies/random.cedar', policies.join('\n\n')],
    ['catalog.json', JSON.stringify(catalog)],
    ...Object.entries(extra),
  ]);
}
