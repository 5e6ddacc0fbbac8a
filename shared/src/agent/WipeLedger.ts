import type { AgentWipeScope } from './AgentCredentialHandler.js';

/**
 * Remembers the agent's wipes in order, so a credential helper can tell whether one happened while
 * its fetch was in flight: what a fetch brings back after its grant's wipe (or a wipe of everything)
 * must be neither served nor kept. `mark()` at the start of a fetch, `wipedSince(mark, grant)` at
 * its end.
 */
export class WipeLedger {
  #count = 0;
  #lastOfAll = 0;
  readonly #lastOfGrant = new Map<string, number>();

  record(scope: AgentWipeScope): void {
    this.#count += 1;
    if (scope.kind === 'all') this.#lastOfAll = this.#count;
    else this.#lastOfGrant.set(scope.grantId, this.#count);
  }

  mark(): number {
    return this.#count;
  }

  wipedSince(mark: number, grantId: string): boolean {
    return this.#lastOfAll > mark || (this.#lastOfGrant.get(grantId) ?? 0) > mark;
  }
}
