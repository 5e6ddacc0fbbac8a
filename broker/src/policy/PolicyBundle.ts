import { defaultDetectorsConfig, type DetectorsConfig } from '../detectors/detectorsConfigSchema.js';
import { cedar } from './cedar.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { AuthorizationRequest } from './authorizationRequestSchema.js';
import type { BundleManifest } from './bundleManifestSchema.js';
import { buildDecisionInputs } from './buildDecisionInputs.js';
import type { ResolvedRequest } from './buildDecisionInputs.js';
import { uidKey } from './collectPolicyReads.js';
import { explainDenial } from './explainDenial.js';
import type { BundlePolicy } from './parseBundlePolicies.js';
import type { CatalogEntity } from './parseCatalog.js';
import type { PolicyDecision } from './PolicyDecision.js';
import type { PolicySetCache, PolicySetKind } from './PolicySetCache.js';
import type { PolicyTestFile } from './policyTestFileSchema.js';
import type { ResourceGuards } from './ResourceGuards.js';
import type { CedarSchemaInfo } from './readCedarSchema.js';
import { resolveRequest } from './resolveRequest.js';
import { anyPrincipal, resourceScopeAdmits, type ResourceScope } from './scopeOfPolicy.js';

/** Policies filed by where they can apply: per (action, resource type), by principal key. */
export type PolicySlices = ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;

function idsOf(policies: readonly BundlePolicy[]): string[] {
  const ids: string[] = [];
  for (let k = 0; k < policies.length; k++) ids.push((policies[k] as BundlePolicy).id);
  return ids;
}

const noneHeld: ReadonlySet<number> = new Set();

export function environmentKey(action: string, resourceType: string): string {
  return `${action}\u0000${resourceType}`;
}

/** 'sliced': hand Cedar only the reachable slices. 'whole': the whole set (the benchmark baseline). */
export type PolicySlicing = 'sliced' | 'whole';

export interface PolicyBundleParts {
  readonly hash: string;
  readonly manifest: BundleManifest;
  readonly schemaText: string;
  readonly schema: CedarSchemaInfo;
  readonly policies: readonly BundlePolicy[];
  readonly catalog: ReadonlyMap<string, CatalogEntity>;
  /** Alert detectors (`detectors.json`; defaults when the bundle has none). */
  readonly detectors?: DetectorsConfig;
  readonly tests: ReadonlyArray<{ readonly file: string; readonly content: PolicyTestFile }>;
  readonly slices: PolicySlices;
  /** Per policy (bundle order): the resource its scope names, if any (scopeOfPolicy). */
  readonly resourceScopes?: ReadonlyArray<ResourceScope | undefined>;
  readonly slicing: PolicySlicing;
  readonly cache: PolicySetCache;
  /** Leaves out policies whose resource-only first test is false for a catalog resource. */
  readonly resourceGuards?: ResourceGuards;
}

/**
 * A validated, immutable policy bundle, parsed once: decisions reuse Cedar's parsed sets.
 * Get one from loadPolicyBundle/compilePolicyBundle; hold the current one in a PolicyEngine.
 */
export class PolicyBundle {
  readonly hash: string;
  readonly manifest: BundleManifest;
  readonly schemaText: string;
  readonly schema: CedarSchemaInfo;
  readonly policies: readonly BundlePolicy[];
  readonly catalog: ReadonlyMap<string, CatalogEntity>;
  readonly detectors: DetectorsConfig;
  readonly tests: PolicyBundleParts['tests'];
  readonly slicing: PolicySlicing;
  readonly #slices: PolicySlices;
  readonly #resourceScopes: ReadonlyArray<ResourceScope | undefined>;
  readonly #cache: PolicySetCache;
  readonly #guards: ResourceGuards | undefined;
  readonly #byId: ReadonlyMap<string, BundlePolicy>;
  readonly #index: ReadonlyMap<string, number>;

  constructor(parts: PolicyBundleParts) {
    this.hash = parts.hash;
    this.manifest = parts.manifest;
    this.schemaText = parts.schemaText;
    this.schema = parts.schema;
    this.policies = parts.policies;
    this.catalog = parts.catalog;
    this.detectors = parts.detectors ?? defaultDetectorsConfig();
    this.tests = parts.tests;
    this.slicing = parts.slicing;
    this.#slices = parts.slices;
    this.#resourceScopes = parts.resourceScopes ?? [];
    this.#cache = parts.cache;
    this.#guards = parts.resourceGuards?.any === true ? parts.resourceGuards : undefined;
    this.#byId = new Map(parts.policies.map((p) => [p.id, p]));
    this.#index = new Map(parts.policies.map((p, i) => [p.id, i]));
    Object.freeze(this);
  }

  /** Decides one request. Throws `invalid_request` for malformed input; never allows on doubt. */
  authorize(input: AuthorizationRequest): PolicyDecision {
    // Plain loops on this path: Node 20.20's TurboFan crashed (V8_Fatal in the deoptimizer's
    // builtin continuation) when a lazy deopt hit inlined Array filter/map callbacks here.
    const outcome = resolveRequest(input, this.schema, this.catalog);
    if ('notApplicable' in outcome) return this.#decision('deny', [], [outcome.notApplicable], []);
    const request = outcome.resolved;
    const { candidates, held } = this.#candidates(request);
    if (candidates.length === 0) {
      return this.#decision('deny', [], explainDenial(request, [], [], new Set()), []);
    }
    // The decide set also holds the permits' clause probes (`<id>#<n>`, PolicySetCache): they are
    // not policies of the bundle, so their errors are not reported and #inBundleOrder drops their
    // ids. Cedar's allow is an allow only if a real permit holds.
    const answer = this.#evaluate('decide', candidates, held, request);
    const errors: string[] = [];
    const erredIds: string[] = [];
    for (let k = 0; k < answer.errors.length; k++) {
      const e = answer.errors[k] as { policyId: string; message: string };
      const policy = this.#byId.get(e.policyId);
      if (policy === undefined) continue;
      errors.push(`${e.policyId}: ${e.message}`);
      if (policy.effect === 'forbid') erredIds.push(e.policyId);
    }
    const erredForbids = this.#inBundleOrder(erredIds);
    const permitsHeld = answer.decision === 'allow' ? this.#inBundleOrder(answer.reason) : [];
    if (permitsHeld.length > 0 && erredForbids.length === 0) {
      return this.#decision('allow', idsOf(permitsHeld), [], errors);
    }

    // Deny: by forbids that held, by forbids that could not be evaluated (fail closed), or by default.
    // Bundle order, not Cedar's: the same request gives the same reasons however the set was sliced.
    const forbidsHeld = answer.decision === 'deny' ? this.#inBundleOrder(answer.reason) : [];
    const permitIndices: number[] = [];
    const permits: BundlePolicy[] = [];
    for (let k = 0; k < candidates.length; k++) {
      const i = candidates[k] as number;
      const policy = this.policies[i];
      if (policy?.effect === 'permit') {
        permitIndices.push(i);
        permits.push(policy);
      }
    }
    // Which permits and probes held. When no forbid held, the decide call already says: Cedar's
    // allow lists every satisfied permit and probe, its deny means none held. Only when a forbid
    // held (Cedar then lists only forbids) does a denial with candidate permits need the second
    // call: whether a permit held changes the words (explainDenial).
    let satisfied = new Set<string>(answer.decision === 'allow' ? answer.reason : []);
    if (forbidsHeld.length > 0 && permitIndices.length > 0) {
      const probes = this.#evaluate('explain', permitIndices, held, request);
      satisfied = probes.decision === 'allow' ? new Set(probes.reason) : new Set();
    }
    const reasons = explainDenial(request, forbidsHeld, permits, satisfied);
    for (let k = 0; k < erredForbids.length; k++) {
      reasons.push(
        `policy "${(erredForbids[k] as BundlePolicy).id}" could not be evaluated, so access is denied`,
      );
    }
    const determining = new Set([...idsOf(forbidsHeld), ...idsOf(erredForbids)]);
    return this.#decision('deny', [...determining], reasons, errors);
  }

  /** Frees Cedar's parsed copies; the engine calls this after swapping in a newer bundle. */
  release(): void {
    this.#cache.release();
    this.#guards?.release();
  }

  /** Preparsed sets currently held (for tests and the benchmark). */
  get preparsedSets(): number {
    return this.#cache.size;
  }

  #candidates(request: ResolvedRequest): { candidates: readonly number[]; held: ReadonlySet<number> } {
    const byKey = this.#slices.get(environmentKey(request.action, request.resource.type));
    if (byKey === undefined) return { candidates: [], held: noneHeld };
    const picked: number[] = [];
    const take = (list: readonly number[] | undefined): void => {
      if (list === undefined) return;
      for (let k = 0; k < list.length; k++) picked.push(list[k] as number);
    };
    take(byKey.get(anyPrincipal));
    take(byKey.get(uidKey(request.principal.type, request.principal.id)));
    const ancestors = request.principal.ancestors;
    for (let k = 0; k < ancestors.length; k++) take(byKey.get(ancestors[k] as string));
    const sorted = Int32Array.from(picked).sort();
    // A policy scoped to one resource (`resource == E` or `in E`) cannot apply to another one:
    // leaving it out keeps the decision and its reasons exact (Cedar would not match its scope)
    // and often leaves nothing to evaluate at all.
    const resourceKey = uidKey(request.resource.type, request.resource.id);
    const out: number[] = [];
    for (let k = 0; k < sorted.length; k++) {
      const i = sorted[k] as number;
      if (k > 0 && i === sorted[k - 1]) continue;
      if (resourceScopeAdmits(this.#resourceScopes[i], resourceKey, request.resource.ancestors)) out.push(i);
    }
    // A policy whose first test reads only the resource and is false for this catalog resource
    // cannot hold or err (ResourceGuards): leaving it out keeps the decision, its errors and its
    // reasons, and often what Cedar must be handed (no posture forbids for a public dataset).
    // One whose guard held is given to Cedar without the guard (PolicySetCache, `held`).
    return this.#guards === undefined || out.length === 0
      ? { candidates: out, held: noneHeld }
      : this.#guards.filter(out, resourceKey, request.action);
  }

  #evaluate(
    kind: PolicySetKind,
    indices: readonly number[],
    held: ReadonlySet<number>,
    request: ResolvedRequest,
  ): { decision: 'allow' | 'deny'; reason: string[]; errors: Array<{ policyId: string; message: string }> } {
    const set = this.#cache.get(kind, indices, held);
    const { entities, context } = buildDecisionInputs(request, set.reads, this.catalog);
    const answer = cedar.statefulIsAuthorized({
      principal: { type: request.principal.type, id: request.principal.id },
      action: { type: 'Action', id: request.action },
      resource: { type: request.resource.type, id: request.resource.id },
      context,
      entities,
      preparsedPolicySetId: set.setId,
    });
    if (answer.type === 'failure') {
      throw new BrokerError(
        'internal',
        `policy evaluation failed: ${answer.errors.map((e) => e.message).join('; ')}`,
      );
    }
    const { decision, diagnostics } = answer.response;
    return {
      decision,
      reason: diagnostics.reason,
      errors: diagnostics.errors.map((e) => ({ policyId: e.policyId, message: e.error.message })),
    };
  }

  #inBundleOrder(ids: readonly string[]): BundlePolicy[] {
    const order = new Int32Array(ids.length);
    let n = 0;
    for (let k = 0; k < ids.length; k++) {
      const index = this.#index.get(ids[k] as string);
      if (index !== undefined) order[n++] = index;
    }
    const sorted = order.subarray(0, n).sort();
    const out: BundlePolicy[] = [];
    for (let k = 0; k < sorted.length; k++) {
      if (k > 0 && sorted[k] === sorted[k - 1]) continue;
      out.push(this.policies[sorted[k] as number] as BundlePolicy);
    }
    return out;
  }

  #decision(
    decision: 'allow' | 'deny',
    determiningPolicies: readonly string[],
    reasons: readonly string[],
    errors: readonly string[],
  ): PolicyDecision {
    return Object.freeze({ decision, determiningPolicies, reasons, errors, bundleHash: this.hash });
  }
}
