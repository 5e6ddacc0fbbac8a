import type { JitDeps } from '../jit/JitDeps.js';
import type { ChallengeStore } from '../webauthn/challengeStore.js';

/** What the admin and approver pages need, passed in explicitly. */
export interface AdminDeps {
  /** The JIT workflow (store, policy in force, relying party, clock, event wake-up). */
  jit: JitDeps;
  challenges: ChallengeStore;
  /** Cookies get `Secure` when the issuer is https. */
  secureCookies: boolean;
  /** Absolute lifetime of a page session from its key touch. */
  sessionTtlSeconds: number;
}
