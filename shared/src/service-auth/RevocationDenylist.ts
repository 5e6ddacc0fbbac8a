import { revokedCredentialsResponseSchema } from '../protocol/revokedCredentialsApi.js';

export interface RevocationDenylistOptions {
  /** The broker's denylist URL, e.g. `https://broker/api/v1/credentials/revoked?kind=service-token`. */
  url: string;
  /** A list older than this is fetched again before the next answer. */
  intervalMs: number;
  /** Without a successful fetch for this long, every check answers `unavailable` (fail closed). */
  maxStalenessMs: number;
  fetch: typeof fetch;
  now: () => number;
}

export type DenylistAnswer = 'ok' | 'revoked' | 'unavailable';

const RETRY_AFTER_FAILURE_MS = 1000;

/**
 * The broker's token denylist, polled lazily: a check finds a list at most `intervalMs` old (it
 * waits for a fresh fetch otherwise, one fetch shared by every waiting check). So a token revoked
 * at the broker is refused at most `intervalMs` after the revocation committed, plus one fetch.
 * If the broker cannot be reached the last list keeps serving until it is `maxStalenessMs` old;
 * after that the verifier refuses everything rather than accept tokens that may be revoked.
 */
export class RevocationDenylist {
  readonly #options: RevocationDenylistOptions;
  #ids = new Set<string>();
  #fetchedAt: number | undefined;
  #lastAttempt = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;

  constructor(options: RevocationDenylistOptions) {
    this.#options = options;
  }

  async check(jti: string): Promise<DenylistAnswer> {
    const { now, intervalMs, maxStalenessMs } = this.#options;
    const age = this.#fetchedAt === undefined ? Number.POSITIVE_INFINITY : now() - this.#fetchedAt;
    if (age >= intervalMs) {
      // Join a fetch in flight; start one unless the last attempt just failed (no hammering).
      if (this.#inflight !== undefined) await this.#inflight;
      else if (now() - this.#lastAttempt >= Math.min(intervalMs, RETRY_AFTER_FAILURE_MS))
        await this.refresh();
    }
    if (this.#fetchedAt === undefined || now() - this.#fetchedAt > maxStalenessMs) return 'unavailable';
    return this.#ids.has(jti) ? 'revoked' : 'ok';
  }

  /** Fetches the list now (single flight); a failure keeps the previous list. */
  refresh(): Promise<void> {
    this.#inflight ??= this.#fetch().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #fetch(): Promise<void> {
    const startedAt = this.#options.now();
    this.#lastAttempt = startedAt;
    try {
      const response = await this.#options.fetch(this.#options.url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(5000),
      });
      if (!response.ok) return;
      const parsed = revokedCredentialsResponseSchema.safeParse(await response.json());
      if (!parsed.success) return;
      this.#ids = new Set(parsed.data.revoked.map((r) => r.id));
      // The list is as old as the moment it was asked for, not when it arrived.
      this.#fetchedAt = startedAt;
    } catch {
      // Unreachable or garbage: keep the last list until it is too stale (check answers unavailable).
    }
  }
}
