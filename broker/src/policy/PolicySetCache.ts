import { cedar } from './cedar.js';
import type { Policy, PolicyJson } from '@cedar-policy/cedar-wasm/nodejs';
import { BrokerError } from '../errors/BrokerError.js';
import type { BundlePolicy } from './parseBundlePolicies.js';
import { emptyReads, mergeReads } from './collectPolicyReads.js';
import type { PolicyReads } from './collectPolicyReads.js';

/** A policy without its resource guard (withoutHeldGuard) and what that form reads. */
export interface HeldGuardForm {
  readonly form: PolicyJson;
  readonly reads: PolicyReads;
}

const noneHeld: ReadonlySet<number> = new Set();

/** A policy set parsed into Cedar's cache, with what its policies can read. */
export interface PreparsedSet {
  readonly setId: string;
  readonly reads: PolicyReads;
}

/**
 * Both kinds hold one probe permit per `when`/`unless` clause of every permit with two or more
 * clauses (id `<id>#<n>`), used to say which condition of a permit failed (see explainDenial).
 * 'decide': every policy plus the probes. Probes are permits, so they can only turn Cedar's deny
 * into allow when no forbid holds: the engine decides allow only when a real permit is among the
 * satisfied, and a denial without a forbid gets its words from the same call. 'explain': the
 * permits and their probes only, for a denial where a forbid held (Cedar then reports only the
 * forbids).
 */
export type PolicySetKind = 'decide' | 'explain';

/**
 * Cedar's parsed policy sets, keyed by the sorted policy indices they hold. A request's candidate
 * policies are the union of a few slices (what any principal may reach, plus what each of the
 * principal's roles and groups may reach); each distinct union is parsed once, on first use, and
 * reused by every later decision that reaches the same slices. Bounded: the least recently used
 * set's id is reused (preparsing under an existing id replaces it), so Cedar's memory stays flat.
 */
export class PolicySetCache {
  readonly #namespace: string;
  readonly #policies: readonly BundlePolicy[];
  readonly #forms: readonly Policy[];
  readonly #reads: readonly PolicyReads[];
  readonly #heldForms: ReadonlyArray<HeldGuardForm | undefined>;
  readonly #capacity: number;
  readonly #sets = new Map<string, PreparsedSet>();
  #released = false;
  #nextSlot = 0;

  /**
   * `forms[i]` is what Cedar is given for `policies[i]`: for sliced bundles the JSON form without
   * the scope constraints slicing already decided (withoutSlicedScope), else the text (also when
   * the JSON form is not exact, e.g. an integer beyond 2^53); `reads[i]` is what that form reads.
   */
  constructor(
    namespace: string,
    policies: readonly BundlePolicy[],
    forms: readonly Policy[],
    reads: readonly PolicyReads[],
    capacity: number,
    heldForms: ReadonlyArray<HeldGuardForm | undefined> = [],
  ) {
    this.#heldForms = heldForms;
    this.#namespace = namespace;
    this.#policies = policies;
    this.#forms = forms;
    this.#reads = reads;
    this.#capacity = capacity;
  }

  /**
   * `indices` must be sorted ascending and unique. `held`: policies whose resource guard held for
   * this request's resource (ResourceGuards), given to Cedar without it (their `heldForms`).
   */
  get(kind: PolicySetKind, indices: readonly number[], held: ReadonlySet<number> = noneHeld): PreparsedSet {
    if (this.#released)
      throw new BrokerError(
        'internal',
        'this policy bundle was replaced; decide with the engine, not a kept bundle',
      );
    let key = `${kind}:${indices.join(',')}`;
    if (held.size > 0) {
      let marks = '';
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k] as number;
        marks += held.has(i) && this.#heldForms[i] !== undefined ? '1' : '0';
      }
      key += `|${marks}`;
    }
    const hit = this.#sets.get(key);
    if (hit !== undefined) {
      // Refresh recency: Map iteration order is insertion order.
      this.#sets.delete(key);
      this.#sets.set(key, hit);
      return hit;
    }
    let setId: string;
    if (this.#sets.size >= this.#capacity) {
      const [oldKey, old] = this.#sets.entries().next().value as [string, PreparsedSet];
      this.#sets.delete(oldKey);
      setId = old.setId;
    } else {
      setId = `${this.#namespace}/${this.#nextSlot++}`;
    }
    const staticPolicies: Record<string, Policy> = {};
    const reads = emptyReads();
    for (const i of indices) {
      const policy = this.#policies[i] as BundlePolicy;
      const heldForm = held.has(i) ? this.#heldForms[i] : undefined;
      const form = heldForm?.form ?? (this.#forms[i] as Policy);
      mergeReads(reads, heldForm?.reads ?? (this.#reads[i] as PolicyReads));
      if (kind === 'explain' && policy.effect !== 'permit') continue;
      staticPolicies[policy.id] = form;
      if (policy.effect !== 'permit') continue;
      // A policy given as text (inexact JSON) gets no clause probes: it cannot be split exactly.
      if (typeof form === 'string' || form.conditions.length < 2) continue;
      form.conditions.forEach((clause, n) => {
        staticPolicies[`${policy.id}#${n}`] = { ...form, annotations: {}, conditions: [clause] };
      });
    }
    const answer = cedar.preparsePolicySet(setId, { staticPolicies });
    if (answer.type === 'failure') {
      throw new BrokerError(
        'internal',
        `cedar refused a validated policy set: ${answer.errors.map((e) => e.message).join('; ')}`,
      );
    }
    const set = { setId, reads };
    this.#sets.set(key, set);
    return set;
  }

  /** Frees Cedar's copies (each id is overwritten with an empty set); later use throws. */
  release(): void {
    this.#released = true;
    for (const set of this.#sets.values()) cedar.preparsePolicySet(set.setId, { staticPolicies: {} });
    this.#sets.clear();
  }

  get size(): number {
    return this.#sets.size;
  }
}
