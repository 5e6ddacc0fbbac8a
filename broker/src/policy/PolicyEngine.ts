import type { AuthorizationRequest } from './authorizationRequestSchema.js';
import { checkPolicyBundle, loadPolicyBundle } from './loadPolicyBundle.js';
import type { CompileOptions } from './compilePolicyBundle.js';
import type { PolicyBundle } from './PolicyBundle.js';
import type { PolicyDecision } from './PolicyDecision.js';

export type PolicySwapResult =
  | { readonly swapped: true; readonly previousHash: string; readonly hash: string }
  | { readonly swapped: false; readonly hash: string; readonly errors: readonly string[] };

/**
 * Holds the bundle in force and swaps in a new one atomically. A new bundle is read, validated
 * and parsed completely before it replaces the old one in a single assignment; decisions are
 * synchronous, so each one sees exactly one bundle. An invalid bundle is refused with its
 * problems and the old one stays in force.
 */
export class PolicyEngine {
  #bundle: PolicyBundle;
  readonly #options: CompileOptions;

  private constructor(bundle: PolicyBundle, options: CompileOptions) {
    this.#bundle = bundle;
    this.#options = options;
  }

  /** Loads the first bundle; the broker does not start without a valid one. */
  static async start(dir: string, options: CompileOptions = {}): Promise<PolicyEngine> {
    return new PolicyEngine(await loadPolicyBundle(dir, options), options);
  }

  static fromBundle(bundle: PolicyBundle, options: CompileOptions = {}): PolicyEngine {
    return new PolicyEngine(bundle, options);
  }

  get bundle(): PolicyBundle {
    return this.#bundle;
  }

  get bundleHash(): string {
    return this.#bundle.hash;
  }

  authorize(request: AuthorizationRequest): PolicyDecision {
    return this.#bundle.authorize(request);
  }

  /** Reads `dir` and swaps it in if valid. */
  async reload(dir: string): Promise<PolicySwapResult> {
    const result = await checkPolicyBundle(dir, this.#options);
    if (!result.ok) return { swapped: false, hash: this.#bundle.hash, errors: result.errors };
    return this.swap(result.bundle);
  }

  /** Swaps in an already validated bundle and frees the old one's parsed sets. */
  swap(next: PolicyBundle): PolicySwapResult {
    const previous = this.#bundle;
    if (next === previous) return { swapped: true, previousHash: previous.hash, hash: next.hash };
    this.#bundle = next;
    previous.release();
    return { swapped: true, previousHash: previous.hash, hash: next.hash };
  }
}
