/**
 * The answer to every authorization question. `bundleHash` names the exact policy version that
 * decided (ARCHITECTURE.md: "every decision records the policy version it used").
 */
export interface PolicyDecision {
  readonly decision: 'allow' | 'deny';
  /** Allow: the permits that held. Deny: the forbids that held (empty for a default deny). */
  readonly determiningPolicies: readonly string[];
  /** For a denial, what to fix, in words (from @reason annotations; see explainDenial). */
  readonly reasons: readonly string[];
  /** Policies that could not be evaluated (id: message). A forbid that errs denies (fail closed). */
  readonly errors: readonly string[];
  readonly bundleHash: string;
}
