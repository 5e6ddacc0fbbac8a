import { createHash, randomBytes } from 'node:crypto';
import type { AgentClock } from './AgentClock.js';

export interface TerminalEntry {
  readonly terminalId: string;
  readonly label: string;
  /** Only this grant's credentials; null: whatever the user holds. */
  readonly grantId: string | null;
  readonly expiresAt: number;
}

/**
 * Per-terminal tokens (issue 8; ARCHITECTURE.md "VS Code": terminals get pointers, not
 * credentials). 256 random bits each, kept only as SHA-256 digests in the agent's memory, so a
 * heap dump does not hand them out and nothing survives a restart. A token dies at its expiry, on
 * `revoke`, when its grant ends, and with the session (lock, sign-out). The AWS container-
 * credentials endpoint checks the `Authorization` header with `verify`.
 */
export class TerminalTokens {
  readonly #byDigest = new Map<string, TerminalEntry>();
  readonly #clock: AgentClock;

  constructor(clock: AgentClock) {
    this.#clock = clock;
  }

  create(entry: Omit<TerminalEntry, 'terminalId'>): TerminalEntry & { readonly token: string } {
    const token = randomBytes(32).toString('base64url');
    const created: TerminalEntry = { ...entry, terminalId: randomBytes(16).toString('base64url') };
    this.#byDigest.set(digest(token), created);
    return { ...created, token };
  }

  /** The terminal a token belongs to, if it is live. */
  verify(token: string): TerminalEntry | undefined {
    if (token.length === 0 || token.length > 200) return undefined;
    // The lookup is keyed by SHA-256 of the presented token, never by the secret itself: how long
    // it takes says something about a digest, which an attacker cannot steer without a preimage.
    const wanted = digest(token);
    const entry = this.#byDigest.get(wanted);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock.now()) {
      this.#byDigest.delete(wanted);
      return undefined;
    }
    return entry;
  }

  revoke(terminalId: string): boolean {
    return this.#remove((e) => e.terminalId === terminalId) > 0;
  }

  revokeGrant(grantId: string): number {
    return this.#remove((e) => e.grantId === grantId);
  }

  revokeAll(): number {
    return this.#remove(() => true);
  }

  list(): readonly TerminalEntry[] {
    const now = this.#clock.now();
    this.#remove((e) => e.expiresAt <= now);
    return [...this.#byDigest.values()];
  }

  #remove(match: (entry: TerminalEntry) => boolean): number {
    let removed = 0;
    for (const [key, entry] of this.#byDigest)
      if (match(entry)) {
        this.#byDigest.delete(key);
        removed += 1;
      }
    return removed;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
