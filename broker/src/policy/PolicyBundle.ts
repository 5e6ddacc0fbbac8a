import { statefulIsAuthorized } from '@cedar-policy/cedar-wasm/nodejs';
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
import type { CedarSchemaInfo } from './readCedarSchema.js';
import { resolveRequest } from './resolveRequest.js';
import { anyPrincipal } from './scopeOfPolicy.js';

/** Policies filed by where they can apply: per (action, resource type), by principal key. */
export type PolicySlices = ReadonlyMap<string, ReadonlyMap<string, readonly number[]>>;

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
  readonly tests: ReadonlyArray<{ readonly file: string; readonly content: PolicyTestFile }>;
  readonly slices: PolicySlices;
  readonly slicing: PolicySlicing;
  readonly cache: PolicySetCache;
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
  readonly tests: PolicyBundleParts['tests'];
  readonly slicing: PolicySlicing;
  readonly #slices: PolicySlices;
  readonly #cache: PolicySetCache;
  readonly #byId: ReadonlyMap<string, BundlePolicy>;
  readonly #index: ReadonlyMap<string, number>;

  constructor(parts: PolicyBundleParts) {
    this.hash = parts.hash;
    this.manifest = parts.manifest;
    this.schemaText = parts.schemaText;
    this.schema = parts.schema;
    this.policies = parts.policies;
    this.catalog = parts.catalog;
    this.tests = parts.tests;
    this.slicing = parts.slicing;
    this.#slices = parts.slices;
    this.#cache = parts.cache;
    this.#byId = new Map(parts.policies.map((p) => [p.id, p]));
    this.#index = new Map(parts.policies.map((p, i) => [p.id, i]));
    Object.freeze(this);
  }

  /** Decides one request. Throws `invalid_request` for malformed input; never allows on doubt. */
  authorize(input: AuthorizationRequest): PolicyDecision {
    const outcome = resolveRequest(input, this.schema, this.catalog);
    if ('notApplicable' in outcome) return this.#decision('deny', [], [outcome.notApplicable], []);
    const request = outcome.resolved;
    const candidates = this.#candidates(request);
    if (candidates.length === 0) {
      return this.#decision('deny', [], explainDenial(request, [], [], new Set()), []);
    }
    const answer = this.#evaluate('decide', candidates, request);
    const errors = answer.errors.map((e) => `${e.policyId}: ${e.message}`);
    const erredForbids = this.#inBundleOrder(answer.errors.map((e) => e.policyId)).filter(
      (p) => p.effect === 'forbid',
    );
    if (answer.decision === 'allow' && erredForbids.length === 0) {
      return this.#decision(
        'allow',
        this.#inBundleOrder(answer.reason).map((p) => p.id),
        [],
        errors,
      );
    }

    // Deny: by forbids that held, by forbids that could not be evaluated (fail closed), or by default.
    // Bundle order, not Cedar's: the same request gives the same reasons however the set was sliced.
    const forbidsHeld = answer.decision === 'deny' ? this.#inBundleOrder(answer.reason) : [];
    const permits = candidates.filter((i) => this.policies[i]?.effect === 'permit');
    let satisfied = new Set<string>();
    if (permits.length > 0) {
      const probes = this.#evaluate('explain', permits, request);
      if (probes.decision === 'allow') satisfied = new Set(probes.reason);
    }
    const reasons = explainDenial(
      request,
      forbidsHeld,
      permits.map((i) => this.policies[i] as BundlePolicy),
      satisfied,
    );
    for (const p of erredForbids)
      reasons.push(`policy "${p.id}" could not be evaluated, so access is denied`);
    const determining = [...forbidsHeld, ...erredForbids].map((p) => p.id);
    return this.#decision('deny', [...new Set(determining)], reasons, errors);
  }

  /** Frees Cedar's parsed copies; the engine calls this after swapping in a newer bundle. */
  release(): void {
    this.#cache.release();
  }

  /** Preparsed sets currently held (for tests and the benchmark). */
  get preparsedSets(): number {
    return this.#cache.size;
  }

  #candidates(request: ResolvedRequest): number[] {
    const byKey = this.#slices.get(environmentKey(request.action, request.resource.type));
    if (byKey === undefined) return [];
    const out = new Set<number>(byKey.get(anyPrincipal) ?? []);
    for (const key of [
      uidKey(request.principal.type, request.principal.id),
      ...request.principal.ancestors,
    ]) {
      for (const i of byKey.get(key) ?? []) out.add(i);
    }
    return [...out].sort((a, b) => a - b);
  }

  #evaluate(
    kind: PolicySetKind,
    indices: readonly number[],
    request: ResolvedRequest,
  ): { decision: 'allow' | 'deny'; reason: string[]; errors: Array<{ policyId: string; message: string }> } {
    const set = this.#cache.get(kind, indices);
    const { entities, context } = buildDecisionInputs(request, set.reads, this.catalog);
    const answer = statefulIsAuthorized({
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
    const found = ids.map((id) => this.#byId.get(id)).filter((p): p is BundlePolicy => p !== undefined);
    return [...new Set(found)].sort((a, b) => (this.#index.get(a.id) ?? 0) - (this.#index.get(b.id) ?? 0));
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
