import { createHash, randomBytes } from 'node:crypto';
import type { TerminalRevocationReason } from '../protocol/clientAuditApi.js';
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
 * credentials endpoint checks the `Authorization` header with `verify`. Listeners hear every
 * revocation with its reason (the AWS helper reports them to the broker's audit log); expiry is not
 * a revocation.
 */
export class TerminalTokens {
  readonly #byDigest = new Map<string, TerminalEntry>();
  readonly #clock: AgentClock;
  readonly #listeners = new Set<(entry: TerminalEntry, reason: TerminalRevocationReason) => void>();

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

  /** `reason`: `revoked` (asked by name, a closed VS Code terminal) or `holder-exited`. */
  revoke(terminalId: string, reason: 'revoked' | 'holder-exited' = 'revoked'): boolean {
    return this.#remove((e) => e.terminalId === terminalId, reason) > 0;
  }

  revokeGrant(grantId: string): number {
    return this.#remove((e) => e.grantId === grantId, 'grant-ended');
  }

  revokeAll(): number {
    return this.#remove(() => true, 'session-ended');
  }

  /** Hears each revoked (live) terminal; returns the function that stops listening. */
  onRevoke(listener: (entry: TerminalEntry, reason: TerminalRevocationReason) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  list(): readonly TerminalEntry[] {
    const now = this.#clock.now();
    this.#remove((e) => e.expiresAt <= now);
    return [...this.#byDigest.values()];
  }

  #remove(match: (entry: TerminalEntry) => boolean, reason?: TerminalRevocationReason): number {
    const now = this.#clock.now();
    let removed = 0;
    for (const [key, entry] of this.#byDigest)
      if (match(entry)) {
        this.#byDigest.delete(key);
        removed += 1;
        // An entry past its expiry was already dead: removing it now revokes nothing.
        if (reason !== undefined && entry.expiresAt > now)
          for (const listener of this.#listeners)
            try {
              listener(entry, reason);
            } catch {
              // a listener's failure must not keep a token alive or stop the others
            }
      }
    return removed;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
