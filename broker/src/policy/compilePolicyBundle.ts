import { cedar } from './cedar.js';
import { defaultDetectorsConfig, detectorsConfigSchema } from '../detectors/detectorsConfigSchema.js';
import type { EntityJson, Expr, Policy } from '@cedar-policy/cedar-wasm/nodejs';
import { bundleManifestSchema } from './bundleManifestSchema.js';
import type { BundleManifest } from './bundleManifestSchema.js';
import { collectPolicyReads, emptyReads } from './collectPolicyReads.js';
import type { PolicyReads } from './collectPolicyReads.js';
import { hashBundleFiles } from './hashBundleFiles.js';
import { located, parseBundlePolicies } from './parseBundlePolicies.js';
import { parseCatalog } from './parseCatalog.js';
import type { CatalogEntity } from './parseCatalog.js';
import { PolicyBundle, environmentKey } from './PolicyBundle.js';
import type { PolicySlicing } from './PolicyBundle.js';
import { PolicySetCache, type HeldGuardForm } from './PolicySetCache.js';
import { ResourceGuards, resourceGuardOf, withoutHeldGuard } from './ResourceGuards.js';
import { policyTestFileSchema } from './policyTestFileSchema.js';
import type { PolicyTestFile } from './policyTestFileSchema.js';
import { readCedarSchema } from './readCedarSchema.js';
import type { BundleFiles } from './readBundleDirectory.js';
import { principalType } from './resolveRequest.js';
import { anyPrincipal, scopeOfPolicy, withoutSlicedScope, type ResourceScope } from './scopeOfPolicy.js';

export interface CompileOptions {
  /** 'sliced' (default) or 'whole' (the unsliced baseline for benchmarks and equivalence tests). */
  readonly slicing?: PolicySlicing;
  /** Most parsed policy-set unions kept at once (default 4096). */
  readonly cacheCapacity?: number;
}

export type CompileResult =
  | { readonly ok: true; readonly bundle: PolicyBundle }
  | { readonly ok: false; readonly errors: readonly string[] };

let namespaceCounter = 0;

/**
 * Validates a bundle's files and builds the immutable bundle. Layout (broker/src/policy/README.md):
 * `bundle.json`, one `*.cedarschema`, `policies/**.cedar`, `catalog.json`, `tests/**.json`, an
 * optional `detectors.json` (alert detectors, detectorsConfigSchema.ts) and optional `*.md`. Everything is checked and every problem reported at once: the manifest and
 * catalog against their formats and the schema, the policies with Cedar's strict validator.
 * Nothing is kept from an invalid bundle.
 */
export function compilePolicyBundle(files: BundleFiles, options: CompileOptions = {}): CompileResult {
  const errors: string[] = [];
  const sorted = [...files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const schemaFiles = sorted.filter(([p]) => p.endsWith('.cedarschema'));
  const policyFiles = sorted.filter(([p]) => p.endsWith('.cedar'));
  for (const [path] of sorted) {
    const known =
      path === 'bundle.json' ||
      path === 'catalog.json' ||
      path === 'detectors.json' ||
      path.endsWith('.cedarschema') ||
      path.endsWith('.md');
    const inPolicies = path.startsWith('policies/') && path.endsWith('.cedar');
    const inTests = path.startsWith('tests/') && path.endsWith('.json');
    if (!known && !inPolicies && !inTests)
      errors.push(`${path}: unexpected file (policies go in policies/*.cedar, tests in tests/*.json)`);
  }
  if (schemaFiles.length !== 1)
    errors.push(`a bundle needs exactly one *.cedarschema file (found ${schemaFiles.length})`);
  if (policyFiles.length === 0) errors.push('a bundle needs at least one policies/*.cedar file');

  const manifest = parseJsonFile(files, 'bundle.json', errors, (raw) => bundleManifestSchema.safeParse(raw));
  const schemaText = schemaFiles[0]?.[1] ?? '';
  const schemaResult = schemaFiles.length === 1 ? readCedarSchema(schemaText) : undefined;
  if (schemaResult?.ok === false)
    errors.push(...schemaResult.errors.map((e) => `${schemaFiles[0]?.[0]}: ${e}`));
  const schema = schemaResult?.ok === true ? schemaResult.info : undefined;
  if (schema !== undefined && !schema.entityTypes.has(principalType))
    errors.push(
      `${schemaFiles[0]?.[0]}: the schema must declare entity ${principalType} (the principal of every request)`,
    );

  const { policies, errors: policyErrors } = parseBundlePolicies(
    policyFiles.filter(([p]) => p.startsWith('policies/')),
  );
  errors.push(...policyErrors);
  if (schema !== undefined && policyErrors.length === 0 && policies.length > 0) {
    const staticPolicies: Record<string, Policy> = {};
    for (const p of policies) staticPolicies[p.id] = p.text;
    const answer = cedar.validate({
      schema: schemaText,
      policies: { staticPolicies },
      validationSettings: { mode: 'strict' },
    });
    if (answer.type === 'failure') errors.push(...answer.errors.map((e) => `validation: ${e.message}`));
    else {
      const where = new Map(policies.map((p) => [p.id, p]));
      for (const v of answer.validationErrors) {
        const p = where.get(v.policyId);
        errors.push(
          p === undefined
            ? `${v.policyId}: ${v.error.message}`
            : located(p.file, p.text, 0, v.error).replace(
                p.file,
                `${p.file} (policy "${p.id}" at line ${p.line})`,
              ),
        );
      }
    }
  }

  let catalog = new Map<string, CatalogEntity>();
  if (schema !== undefined) {
    const raw = parseJsonFile(files, 'catalog.json', errors, (value) => ({
      success: true as const,
      data: value,
    }));
    if (raw !== undefined) {
      const parsed = parseCatalog(raw, schema);
      errors.push(...parsed.errors);
      catalog = parsed.entities;
      if (parsed.errors.length === 0) errors.push(...confirmCatalogWithCedar(parsed.entities, schemaText));
    }
  }

  // Optional: the alert detectors' settings (issue 9); without the file, their defaults.
  const detectors = files.has('detectors.json')
    ? parseJsonFile(files, 'detectors.json', errors, (raw) => detectorsConfigSchema.safeParse(raw))
    : defaultDetectorsConfig();

  const tests: Array<{ file: string; content: PolicyTestFile }> = [];
  for (const [path] of sorted.filter(([p]) => p.startsWith('tests/') && p.endsWith('.json'))) {
    const content = parseJsonFile(files, path, errors, (raw) => policyTestFileSchema.safeParse(raw));
    if (content !== undefined) tests.push({ file: path, content });
  }

  if (errors.length > 0 || schema === undefined || manifest === undefined || detectors === undefined)
    return { ok: false, errors };

  const reads: PolicyReads[] = [];
  const forms: Policy[] = [];
  const guards: Array<Expr | undefined> = [];
  const heldForms: Array<HeldGuardForm | undefined> = [];
  const slices = new Map<string, Map<string, number[]>>();
  const slicing = options.slicing ?? 'sliced';
  const resourceScopes: Array<ResourceScope | undefined> = [];
  policies.forEach((policy, index) => {
    // The 'whole' baseline hands Cedar every policy as written and prunes nothing. So does a
    // policy whose JSON form is not exact in JavaScript (an integer beyond 2^53): given as text.
    const exact = jsonIsExact(policy.json);
    const rewrite = slicing === 'sliced' && exact;
    const form = rewrite ? withoutSlicedScope(policy.json) : policy.json;
    forms.push(exact ? form : policy.text);
    guards.push(rewrite ? resourceGuardOf(policy.json) : undefined);
    const r = emptyReads();
    collectPolicyReads(form, schema.entityAttributeNames, r);
    reads.push(r);
    const unguarded = rewrite ? withoutHeldGuard(form) : undefined;
    if (unguarded === undefined) heldForms.push(undefined);
    else {
      const hr = emptyReads();
      collectPolicyReads(unguarded, schema.entityAttributeNames, hr);
      heldForms.push({ form: unguarded, reads: hr });
    }
    const scope = scopeOfPolicy(policy.json, schema);
    if (typeof scope === 'string') {
      errors.push(`${policy.file}:${policy.line}: ${scope}`);
      return;
    }
    // The 'whole' baseline hands Cedar everything, so it keeps no resource constraint either.
    resourceScopes[index] = slicing === 'whole' ? undefined : scope.resource;
    for (const [action, resourceType] of scope.environments) {
      const envKey = slicing === 'whole' ? '' : environmentKey(action, resourceType);
      const principalKey = slicing === 'whole' ? anyPrincipal : scope.principalKey;
      let byKey = slices.get(envKey);
      if (byKey === undefined) slices.set(envKey, (byKey = new Map()));
      const list = byKey.get(principalKey) ?? [];
      if (list[list.length - 1] !== index) list.push(index);
      byKey.set(principalKey, list);
    }
  });
  if (errors.length > 0) return { ok: false, errors };
  if (slicing === 'whole') {
    // One set with every policy, whatever the request: what Cedar does without slicing.
    const all = new Map([[anyPrincipal, policies.map((_, i) => i)]]);
    for (const [action, info] of schema.actions)
      for (const t of info.resourceTypes) slices.set(environmentKey(action, t), all);
  }

  const namespace = `bundle-${++namespaceCounter}`;
  const cache = new PolicySetCache(
    namespace,
    policies,
    forms,
    reads,
    options.cacheCapacity ?? 4096,
    heldForms,
  );
  const resourceGuards = new ResourceGuards(namespace, guards, catalog);
  const bundle = new PolicyBundle({
    hash: hashBundleFiles(files),
    manifest: manifest as BundleManifest,
    schemaText,
    schema,
    policies,
    catalog,
    detectors,
    tests,
    slices,
    resourceScopes,
    slicing,
    cache,
    resourceGuards,
  });
  return { ok: true, bundle };
}

function parseJsonFile<T>(
  files: BundleFiles,
  path: string,
  errors: string[],
  check: (
    raw: unknown,
  ) =>
    | { success: true; data: T }
    | { success: false; error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> } },
): T | undefined {
  const text = files.get(path);
  if (text === undefined) {
    errors.push(`${path}: missing`);
    return undefined;
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    errors.push(`${path}: not valid JSON (${(cause as Error).message})`);
    return undefined;
  }
  const result = check(raw);
  if (!result.success) {
    errors.push(
      ...result.error.issues.map((i) => `${path}: ${i.path.map(String).join('.') || '(top)'}: ${i.message}`),
    );
    return undefined;
  }
  return result.data;
}

/** A second opinion from Cedar itself on the converted attributes (parents were checked by parseCatalog). */
function confirmCatalogWithCedar(entities: ReadonlyMap<string, CatalogEntity>, schemaText: string): string[] {
  const json: EntityJson[] = [...entities.values()].map((e) => ({
    uid: { type: e.type, id: e.id },
    attrs: { ...e.attrs },
    parents: [],
  }));
  const answer = cedar.checkParseEntities({ entities: json, schema: schemaText });
  return answer.type === 'failure' ? answer.errors.map((e) => `catalog.json: ${e.message}`) : [];
}

/** Whether every number in a policy's JSON form survived JavaScript's doubles (Cedar's Long is 64-bit). */
function jsonIsExact(value: unknown): boolean {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  if (typeof value !== 'object' || value === null) return true;
  for (const v of Object.values(value)) if (!jsonIsExact(v)) return false;
  return true;
}
