/**
 * Time for the agent: epoch milliseconds and one-shot timers. Passed in (CONVENTIONS.md: the host
 * hands shared/ its clock) so tests drive the posture loop and expiry warnings without waiting.
 * Timers never keep the process alive on their own: a host decides how long the agent lives.
 */
export interface AgentClock {
  now(): number;
  /** Runs `run` once after `ms`; returns the cancel function. */
  after(ms: number, run: () => void): () => void;
}

export const systemClock: AgentClock = {
  now: Date.now,
  after(ms, run) {
    const timer = setTimeout(run, Math.max(0, ms));
    timer.unref();
    return () => clearTimeout(timer);
  },
};
