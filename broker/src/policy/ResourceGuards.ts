import type { EntityJson, Expr, Policy, PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { cedar } from './cedar.js';
import { BrokerError } from '../errors/BrokerError.js';
import { uidFromKey } from './buildDecisionInputs.js';
import type { CatalogEntity } from './parseCatalog.js';

/**
 * The part of a policy's first condition that reads nothing but the resource: the leading
 * conjuncts of a first `when` that only read the resource (its attributes, `resource in …`,
 * literals), or the negation of a first `unless` that only reads the resource. Cedar evaluates a
 * policy as scope && first clause && later clauses, left to right with short-circuits, so when
 * this guard is false (without an error) for a resource, the policy is not satisfied and reports
 * no error for it, whatever the principal, context or later clauses. Catalog resources never
 * change within a bundle, so the guard is evaluated once per (resource, policy).
 * Undefined when the first clause does not start with such a test.
 */
export function resourceGuardOf(policy: PolicyJson): Expr | undefined {
  const first = policy.conditions[0];
  if (first === undefined) return undefined;
  if (first.kind === 'unless')
    return readsOnlyResource(first.body) && mentionsResource(first.body)
      ? { '!': { arg: first.body } }
      : undefined;
  const conjuncts: Expr[] = [];
  flattenAnd(first.body, conjuncts);
  let guard: Expr | undefined;
  for (const c of conjuncts) {
    if (!readsOnlyResource(c)) break;
    guard = guard === undefined ? c : { '&&': { left: guard, right: c } };
  }
  return guard !== undefined && mentionsResource(guard) ? guard : undefined;
}

/**
 * `policy` for a resource whose guard (resourceGuardOf) held without error: the guard's conjuncts
 * are taken out of the first clause (`G && R` → `R`, left to right with the same short-circuits
 * and errors since G is true), a clause that was all guard (or a first `unless`) becomes
 * `when { true }` so clause numbers (the explanation probes `<id>#<n>`) stay. Cedar then need not
 * be handed the resource attributes only the guard read. Undefined when the policy has no guard.
 */
export function withoutHeldGuard(policy: PolicyJson): PolicyJson | undefined {
  if (resourceGuardOf(policy) === undefined) return undefined;
  const [first, ...rest] = policy.conditions;
  if (first === undefined) return undefined;
  const always = { kind: 'when' as const, body: { Value: true } };
  if (first.kind === 'unless') return { ...policy, conditions: [always, ...rest] };
  const conjuncts: Expr[] = [];
  flattenAnd(first.body, conjuncts);
  let k = 0;
  while (k < conjuncts.length && readsOnlyResource(conjuncts[k] as Expr)) k++;
  let body: Expr | undefined;
  for (const c of conjuncts.slice(k)) body = body === undefined ? c : { '&&': { left: body, right: c } };
  return { ...policy, conditions: [body === undefined ? always : { kind: 'when', body }, ...rest] };
}

/** `a && b && c` in evaluation order (left to right, whatever the nesting). */
function flattenAnd(e: Expr, into: Expr[]): void {
  if ('&&' in e) {
    const and = (e as { '&&': { left: Expr; right: Expr } })['&&'];
    flattenAnd(and.left, into);
    flattenAnd(and.right, into);
    return;
  }
  into.push(e);
}

/**
 * Whether evaluating `e` can read nothing but the resource entity (its attributes and ancestors)
 * and literals. `X in …` is allowed only with `resource` itself on the left (its ancestors come
 * from the catalog); an attribute reached through an entity-valued attribute is not passed to the
 * guard's evaluation, so Cedar reports an error there and the policy is kept.
 */
function readsOnlyResource(e: Expr): boolean {
  const [op, arg] = Object.entries(e)[0] ?? [];
  if (op === undefined) return false;
  const node = arg as Record<string, unknown>;
  switch (op) {
    case 'Value':
      return true;
    case 'Var':
      return arg === 'resource';
    case 'Slot':
    case 'getTag':
    case 'hasTag':
      return false;
    case 'in':
      return isResourceVar(node.left as Expr) && readsOnlyResource(node.right as Expr);
    case 'is':
      return node.in === undefined
        ? readsOnlyResource(node.left as Expr)
        : isResourceVar(node.left as Expr) && readsOnlyResource(node.in as Expr);
    case '.':
    case 'has':
    case 'like':
      return readsOnlyResource(node.left as Expr);
    default:
      return childrenOf(arg).every(readsOnlyResource);
  }
}

function isResourceVar(e: Expr): boolean {
  return 'Var' in e && (e as { Var: string }).Var === 'resource';
}

function mentionsResource(e: Expr): boolean {
  if (isResourceVar(e)) return true;
  const [op, arg] = Object.entries(e)[0] ?? [];
  if (op === undefined || op === 'Value' || op === 'Var') return false;
  const node = arg as Record<string, unknown>;
  if (op === '.' || op === 'has' || op === 'like') return mentionsResource(node.left as Expr);
  if (op === 'is')
    return (
      mentionsResource(node.left as Expr) || (node.in !== undefined && mentionsResource(node.in as Expr))
    );
  return childrenOf(arg).some(mentionsResource);
}

/** The sub-expressions of an operator's argument (unary, binary, if-then-else, sets, records, calls). */
function childrenOf(arg: unknown): Expr[] {
  if (Array.isArray(arg)) return arg as Expr[];
  if (typeof arg !== 'object' || arg === null) return [];
  const out: Expr[] = [];
  for (const [key, value] of Object.entries(arg)) {
    if (key === 'attr' || key === 'pattern' || key === 'entity_type') continue;
    if (typeof value === 'object' && value !== null) out.push(value as Expr);
  }
  return out;
}

type GuardState = 'false' | 'held' | 'erred';
const noneHeld: ReadonlySet<number> = new Set();

/**
 * Per catalog resource, which guarded policies (resourceGuardOf) can still apply. Evaluated by
 * Cedar itself on first use (one call for the guards a request's candidates still miss), then
 * remembered for the bundle's life: the catalog is part of the bundle, so a changed catalog is a
 * new bundle with a new, empty cache. Only catalog entities are looked up here; a resource that
 * comes with its own attributes is never pruned.
 */
export class ResourceGuards {
  readonly #setId: string;
  readonly #guards: ReadonlyArray<Expr | undefined>;
  readonly #catalog: ReadonlyMap<string, CatalogEntity>;
  /** resource key → policy index → its guard for that resource: false, held, or erred. */
  readonly #applies = new Map<string, Map<number, GuardState>>();
  #released = false;

  constructor(
    namespace: string,
    guards: ReadonlyArray<Expr | undefined>,
    catalog: ReadonlyMap<string, CatalogEntity>,
  ) {
    this.#setId = `${namespace}/guards`;
    this.#guards = guards;
    this.#catalog = catalog;
  }

  /** Whether any policy has a guard (if not, `filter` is never needed). */
  get any(): boolean {
    return this.#guards.some((g) => g !== undefined);
  }

  /**
   * `candidates` (sorted policy indices) without the policies whose guard is false for the
   * catalog resource `resourceKey`, and (`held`) those left whose guard held without error, which
   * Cedar may be given without it (withoutHeldGuard).
   */
  filter(
    candidates: readonly number[],
    resourceKey: string,
    action: string,
  ): { candidates: readonly number[]; held: ReadonlySet<number> } {
    const entity = this.#catalog.get(resourceKey);
    if (entity === undefined) return { candidates, held: noneHeld };
    let known = this.#applies.get(resourceKey);
    let missing: number[] | undefined;
    for (let k = 0; k < candidates.length; k++) {
      const i = candidates[k] as number;
      if (this.#guards[i] !== undefined && known?.has(i) !== true) (missing ??= []).push(i);
    }
    if (missing !== undefined) {
      if (known === undefined) this.#applies.set(resourceKey, (known = new Map()));
      this.#evaluate(missing, entity, action, known);
    }
    if (known === undefined) return { candidates, held: noneHeld };
    let out: number[] | undefined;
    let held: Set<number> | undefined;
    for (let k = 0; k < candidates.length; k++) {
      const i = candidates[k] as number;
      const state = known.get(i);
      if (state === 'false') {
        out ??= candidates.slice(0, k) as number[];
        continue;
      }
      if (state === 'held') (held ??= new Set()).add(i);
      if (out !== undefined) out.push(i);
    }
    return { candidates: out ?? candidates, held: held ?? noneHeld };
  }

  #evaluate(
    indices: readonly number[],
    entity: CatalogEntity,
    action: string,
    into: Map<number, GuardState>,
  ): void {
    if (this.#released)
      throw new BrokerError(
        'internal',
        'this policy bundle was replaced; decide with the engine, not a kept bundle',
      );
    const staticPolicies: Record<string, Policy> = {};
    for (const i of indices) {
      staticPolicies[String(i)] = {
        effect: 'permit',
        principal: { op: 'All' },
        action: { op: 'All' },
        resource: { op: 'All' },
        conditions: [{ kind: 'when', body: this.#guards[i] as Expr }],
      };
    }
    const parsed = cedar.preparsePolicySet(this.#setId, { staticPolicies });
    if (parsed.type === 'failure')
      throw new BrokerError(
        'internal',
        `cedar refused a resource guard: ${parsed.errors.map((e) => e.message).join('; ')}`,
      );
    const resource: EntityJson = {
      uid: { type: entity.type, id: entity.id },
      attrs: { ...entity.attrs },
      parents: entity.ancestors.map(uidFromKey),
    };
    const answer = cedar.statefulIsAuthorized({
      principal: { type: 'User', id: '' },
      action: { type: 'Action', id: action },
      resource: { type: entity.type, id: entity.id },
      context: {},
      entities: [resource],
      preparsedPolicySetId: this.#setId,
    });
    if (answer.type === 'failure')
      throw new BrokerError(
        'internal',
        `resource guard evaluation failed: ${answer.errors.map((e) => e.message).join('; ')}`,
      );
    const { reason, errors } = answer.response.diagnostics;
    const holds = new Set(reason);
    const erred = new Set(errors.map((e) => e.policyId)); // an error keeps the policy as written
    for (const i of indices) {
      const id = String(i);
      into.set(i, erred.has(id) ? 'erred' : holds.has(id) ? 'held' : 'false');
    }
  }

  /** Frees Cedar's copy; later use throws. */
  release(): void {
    this.#released = true;
    this.#applies.clear();
    cedar.preparsePolicySet(this.#setId, { staticPolicies: {} });
  }
}
