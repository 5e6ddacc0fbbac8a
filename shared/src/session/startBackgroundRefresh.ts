import { StrongroomError } from '../errors/StrongroomError.js';
import type { HostContext } from './HostContext.js';
import type { SessionSummary } from './SessionSummary.js';
import { refreshDueAt } from './isAccessTokenFresh.js';

export interface BackgroundRefreshOptions {
  readonly host: HostContext;
  readonly readSession: () => Promise<SessionSummary | undefined>;
  /** Normally `refreshSession`; it wipes the session and notifies the user when the broker refuses. */
  readonly refresh: () => Promise<{ summary: SessionSummary }>;
  /** Called once when the session is over (refused, expired or signed out elsewhere). */
  readonly onEnded?: (reason: StrongroomError | undefined) => void;
  /** Wait before retrying when the broker is unreachable. */
  readonly retryMs?: number;
}

/**
 * For long-running hosts (tray app, extension host): refreshes the access token at ~80% of its life
 * so API calls never wait on a refresh. Unreachable broker: retry until the token expires. Any other
 * failure ends the loop; `refresh` has already wiped the session and told the user why.
 */
export function startBackgroundRefresh(options: BackgroundRefreshOptions): { stop: () => void } {
  const { host } = options;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const schedule = (at: number, run: () => Promise<void>): void => {
    if (stopped) return;
    timer = setTimeout(() => void run(), Math.max(0, at - host.now()));
    timer.unref();
  };
  const end = (reason: StrongroomError | undefined): void => {
    stopped = true;
    options.onEnded?.(reason);
  };
  const plan = async (): Promise<void> => {
    const summary = await options.readSession().catch(() => undefined);
    if (summary === undefined) return end(undefined);
    schedule(refreshDueAt(summary), tick);
  };
  const tick = async (): Promise<void> => {
    if (stopped) return;
    try {
      const { summary } = await options.refresh();
      schedule(refreshDueAt(summary), tick);
    } catch (error) {
      const failure =
        error instanceof StrongroomError
          ? error
          : new StrongroomError('internal', 'Background refresh failed.', { cause: error });
      if (failure.code === 'broker_unreachable' || failure.code === 'keychain_locked') {
        host.log('warn', `Background refresh will retry: ${failure.message}`);
        schedule(host.now() + (options.retryMs ?? 30_000), tick);
        return;
      }
      host.log('warn', `Session ended: ${failure.message}`);
      end(failure);
    }
  };
  void plan();
  return {
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}
