import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** What a per-terminal token may reach. */
export interface TerminalToken {
  readonly terminalId: string;
  /** Shown in the tray and logs ("VS Code: train-job"); never the token. */
  readonly label: string;
  /** The one Strongroom role it may fetch; undefined: any role the user's grants cover. */
  readonly role: string | undefined;
  /** The grant it is tied to: it dies when that grant ends. */
  readonly grantId: string | undefined;
  readonly createdAt: number;
  readonly expiresAt: number;
}

interface Entry extends TerminalToken {
  readonly digest: Buffer;
}

const digestOf = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

/**
 * Per-terminal bearer tokens for the agent's loopback endpoints (issue 6: "one random token per
 * terminal or job, revoked when the grant ends or the terminal closes"). Tokens are 256 random bits,
 * kept only as SHA-256 digests in this process's memory, looked up by digest and compared in
 * constant time, so neither the map nor the comparison's timing tells a guesser anything.
 */
export class TerminalTokenRegistry {
  readonly #byDigest = new Map<string, Entry>();
  readonly #now: () => number;

  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  create(options: {
    label: string;
    role?: string | undefined;
    grantId?: string | undefined;
    expiresAt: number;
  }): { token: string; terminal: TerminalToken } {
    const token = randomBytes(32).toString('base64url');
    const digest = digestOf(token);
    const entry: Entry = {
      terminalId: randomBytes(16).toString('base64url'),
      label: options.label,
      role: options.role,
      grantId: options.grantId,
      createdAt: this.#now(),
      expiresAt: options.expiresAt,
      digest,
    };
    this.#byDigest.set(digest.toString('hex'), entry);
    return { token, terminal: publicView(entry) };
  }

  /** The terminal a presented token belongs to, if it is live; undefined for anything else. */
  verify(presented: string | undefined): TerminalToken | undefined {
    if (presented === undefined || presented.length === 0 || presented.length > 200) return undefined;
    const digest = digestOf(presented);
    const entry = this.#byDigest.get(digest.toString('hex'));
    if (entry === undefined || !timingSafeEqual(entry.digest, digest)) return undefined;
    if (entry.expiresAt <= this.#now()) {
      this.#byDigest.delete(digest.toString('hex'));
      return undefined;
    }
    return publicView(entry);
  }

  /** Revokes by the token itself (the terminal's own helper); returns whether it was live. */
  revoke(token: string): boolean {
    return this.#byDigest.delete(digestOf(token).toString('hex'));
  }

  /** Revokes by terminal id (the terminal closed; `terminal.revoke`). */
  revokeTerminal(terminalId: string): boolean {
    return this.#revokeWhere((e) => e.terminalId === terminalId) > 0;
  }

  /** The grant ended: every token tied to it dies. Returns how many. */
  revokeGrant(grantId: string): number {
    return this.#revokeWhere((e) => e.grantId === grantId);
  }

  /** Sign-out, lock, agent stop. */
  revokeAll(): number {
    const n = this.#byDigest.size;
    this.#byDigest.clear();
    return n;
  }

  list(): TerminalToken[] {
    const now = this.#now();
    return [...this.#byDigest.values()].filter((e) => e.expiresAt > now).map(publicView);
  }

  #revokeWhere(match: (e: Entry) => boolean): number {
    let n = 0;
    for (const [key, entry] of this.#byDigest) {
      if (match(entry)) {
        this.#byDigest.delete(key);
        n += 1;
      }
    }
    return n;
  }
}

function publicView(e: Entry): TerminalToken {
  return {
    terminalId: e.terminalId,
    label: e.label,
    role: e.role,
    grantId: e.grantId,
    createdAt: e.createdAt,
    expiresAt: e.expiresAt,
  };
}
