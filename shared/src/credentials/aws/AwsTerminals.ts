import type { TerminalTokens } from '../../agent/TerminalTokens.js';

/** A live terminal as the container endpoint sees it. */
export interface ContainerTerminal {
  readonly terminalId: string;
  readonly label: string;
  /** The grant the terminal is tied to (its credentials only); null: whatever the user holds. */
  readonly grantId: string | null;
  /** The one role it may fetch (`strongroom env aws --role`); undefined: any its grant covers. */
  readonly role: string | undefined;
}

/** What the container endpoint needs from a token store. */
export interface TerminalVerifier {
  verify(token: string): ContainerTerminal | undefined;
  /** The broker refused the grant: every terminal tied to it dies. */
  revokeGrant(grantId: string): number;
}

/**
 * The agent's per-terminal tokens (agent/TerminalTokens.ts: 256 random bits, kept as SHA-256
 * digests, dead at expiry, revoke, grant end or sign-out) with a role bound to the terminals that
 * `strongroom env aws --role <r>` makes, so such a token fetches that role and no other.
 */
export class AwsTerminals implements TerminalVerifier {
  readonly #tokens: TerminalTokens;
  readonly #roles = new Map<string, string>();

  constructor(tokens: TerminalTokens) {
    this.#tokens = tokens;
  }

  create(options: { label: string; role: string; grantId: string; expiresAt: number }): {
    token: string;
    terminalId: string;
    expiresAt: number;
  } {
    // Forget the roles of terminals that are gone (revoked, expired, their grant ended).
    const live = new Set(this.#tokens.list().map((t) => t.terminalId));
    for (const id of this.#roles.keys()) if (!live.has(id)) this.#roles.delete(id);
    const created = this.#tokens.create({
      label: options.label,
      grantId: options.grantId,
      expiresAt: options.expiresAt,
    });
    this.#roles.set(created.terminalId, options.role);
    return { token: created.token, terminalId: created.terminalId, expiresAt: created.expiresAt };
  }

  verify(token: string): ContainerTerminal | undefined {
    const entry = this.#tokens.verify(token);
    if (entry === undefined) return undefined;
    return {
      terminalId: entry.terminalId,
      label: entry.label,
      grantId: entry.grantId,
      role: this.#roles.get(entry.terminalId),
    };
  }

  revokeGrant(grantId: string): number {
    return this.#tokens.revokeGrant(grantId);
  }

  /** The process holding the terminal's token exited (`strongroom env aws`). */
  holderExited(terminalId: string): boolean {
    this.#roles.delete(terminalId);
    return this.#tokens.revoke(terminalId, 'holder-exited');
  }
}
