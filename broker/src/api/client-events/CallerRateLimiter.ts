/**
 * A token bucket per caller, in memory (one broker instance's view; with several instances each
 * allows its own share, which is still a bound). `take` answers `limited-first` once per run of
 * refusals, so the caller's flood is audited once rather than flooding the audit log itself.
 */
export class CallerRateLimiter {
  readonly #buckets = new Map<string, { tokens: number; at: number; refusedSince: boolean }>();
  readonly #burst: number;
  readonly #refillMs: number;
  readonly #maxCallers: number;

  constructor(options: { burst: number; refillMs: number; maxCallers?: number }) {
    this.#burst = options.burst;
    this.#refillMs = options.refillMs;
    this.#maxCallers = options.maxCallers ?? 10_000;
  }

  take(key: string, now: number): 'ok' | 'limited-first' | 'limited' {
    let bucket = this.#buckets.get(key);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxCallers) this.#evictFull(now);
      bucket = { tokens: this.#burst, at: now, refusedSince: false };
      this.#buckets.set(key, bucket);
    }
    const refill = Math.floor(Math.max(0, now - bucket.at) / this.#refillMs);
    if (refill > 0) {
      bucket.tokens = Math.min(this.#burst, bucket.tokens + refill);
      bucket.at = bucket.tokens === this.#burst ? now : bucket.at + refill * this.#refillMs;
    }
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      bucket.refusedSince = false;
      return 'ok';
    }
    if (bucket.refusedSince) return 'limited';
    bucket.refusedSince = true;
    return 'limited-first';
  }

  /** Callers whose bucket has refilled are the same as new ones: forget them (or, failing that, the oldest). */
  #evictFull(now: number): void {
    for (const [key, b] of this.#buckets)
      if (b.tokens + Math.floor((now - b.at) / this.#refillMs) >= this.#burst) this.#buckets.delete(key);
    if (this.#buckets.size >= this.#maxCallers) {
      const oldest = this.#buckets.keys().next();
      if (oldest.done !== true) this.#buckets.delete(oldest.value);
    }
  }
}
