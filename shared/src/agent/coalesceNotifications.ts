import type { AgentClock } from './AgentClock.js';
import type { AgentNotification, AgentNotifier } from './AgentNotifier.js';

export interface CoalesceOptions {
  /** A key shown within this window is not shown again; also the burst window. Default 30 s. */
  readonly windowMs?: number;
  /** At most this many notifications per window; the rest are folded into one summary. Default 3. */
  readonly burst?: number;
}

/**
 * No notification storms: a reconnecting event stream replays events, a sweeper repeats warnings,
 * ten approvals land at once. Same key within the window: shown once. More than `burst` in a
 * window: the rest wait for the window's end and come as one summary (or alone, if only one
 * waited). Critical notifications (a lock, a wipe) skip the burst limit but are still deduplicated.
 */
export function coalesceNotifications(
  inner: AgentNotifier,
  clock: AgentClock,
  options: CoalesceOptions = {},
): AgentNotifier & { readonly stop: () => void } {
  const windowMs = options.windowMs ?? 30_000;
  const burst = options.burst ?? 3;
  const seen = new Map<string, number>();
  let windowStart = -Infinity;
  let shownInWindow = 0;
  const held = new Map<string, AgentNotification>();
  let cancelFlush: (() => void) | undefined;

  const flush = (): void => {
    cancelFlush = undefined;
    const waiting = [...held.values()];
    held.clear();
    windowStart = clock.now();
    shownInWindow = waiting.length === 0 ? 0 : 1;
    if (waiting.length === 1 && waiting[0] !== undefined) inner.show(waiting[0]);
    else if (waiting.length > 1)
      inner.show({
        key: 'summary',
        severity: waiting.some((n) => n.severity === 'warning') ? 'warning' : 'info',
        title: `${String(waiting.length)} Strongroom updates`,
        body: waiting.map((n) => n.title).join('\n'),
        // The first few actions still work from the summary.
        actions: waiting.flatMap((n) => n.actions).slice(0, 3),
      });
  };

  return {
    show(notification) {
      const now = clock.now();
      for (const [key, at] of seen) if (now - at >= windowMs) seen.delete(key);
      if (seen.has(notification.key)) return;
      seen.set(notification.key, now);
      if (notification.severity === 'critical') {
        inner.show(notification);
        return;
      }
      if (now - windowStart >= windowMs && held.size === 0) {
        windowStart = now;
        shownInWindow = 0;
      }
      if (shownInWindow < burst && held.size === 0) {
        shownInWindow += 1;
        inner.show(notification);
        return;
      }
      held.set(notification.key, notification);
      cancelFlush ??= clock.after(windowStart + windowMs - now, flush);
    },
    stop() {
      cancelFlush?.();
      cancelFlush = undefined;
      held.clear();
    },
  };
}
