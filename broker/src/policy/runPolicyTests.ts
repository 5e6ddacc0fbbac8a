import type { PolicyBundle } from './PolicyBundle.js';
import type { PolicyDecision } from './PolicyDecision.js';

export interface PolicyTestResult {
  readonly file: string;
  readonly name: string;
  readonly passed: boolean;
  /** What did not match, in words; empty when passed. */
  readonly problems: readonly string[];
  readonly decision: PolicyDecision | undefined;
}

/** Runs every case of every `tests/*.json` file in the bundle against the bundle itself. */
export function runPolicyTests(bundle: PolicyBundle): PolicyTestResult[] {
  const results: PolicyTestResult[] = [];
  for (const { file, content } of bundle.tests) {
    for (const testCase of content.cases) {
      const principal = testCase.principal ?? content.defaults.principal;
      if (principal === undefined) {
        results.push({
          file,
          name: testCase.name,
          passed: false,
          problems: ['no principal (set one in the case or in defaults)'],
          decision: undefined,
        });
        continue;
      }
      let decision: PolicyDecision;
      try {
        decision = bundle.authorize({
          principal,
          action: testCase.action,
          resource: testCase.resource,
          context: deepMerge(content.defaults.context, testCase.context),
        });
      } catch (error) {
        results.push({
          file,
          name: testCase.name,
          passed: false,
          problems: [error instanceof Error ? error.message : String(error)],
          decision: undefined,
        });
        continue;
      }
      const problems: string[] = [];
      const { expect } = testCase;
      if (decision.decision !== expect.decision)
        problems.push(`expected ${expect.decision}, got ${decision.decision}`);
      for (const wanted of expect.reasons ?? []) {
        if (!decision.reasons.some((r) => r.includes(wanted)))
          problems.push(`no reason mentions ${JSON.stringify(wanted)}`);
      }
      if (expect.determiningPolicies !== undefined) {
        const want = [...expect.determiningPolicies].sort().join(', ');
        const got = [...decision.determiningPolicies].sort().join(', ');
        if (want !== got) problems.push(`expected determining policies [${want}], got [${got}]`);
      }
      results.push({ file, name: testCase.name, passed: problems.length === 0, problems, decision });
    }
  }
  return results;
}

/** Objects merge key by key; anything else in `over` replaces what is in `base`. */
export function deepMerge(
  base: Readonly<Record<string, unknown>>,
  over: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key];
    out[key] = isObject(prior) && isObject(value) ? deepMerge(prior, value) : value;
  }
  return out;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
