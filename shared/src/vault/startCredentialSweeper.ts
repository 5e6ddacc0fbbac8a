import type { CredentialStore } from './CredentialStore.js';

export interface SweeperOptions {
  store: CredentialStore;
  profiles: () => readonly string[];
  intervalMs: number;
  onError?: (error: unknown) => void;
}

/**
 * Periodically deletes expired credentials for long-running hosts (tray app, extension host), so
 * expired material does not linger in the keychain between reads. Returns a stop function.
 * The timer is unref'd: a sweeper never keeps a process alive on its own.
 */
export function startCredentialSweeper(options: SweeperOptions): () => void {
  let running = false;
  const tick = async (): Promise<void> => {
    if (running) return;
    running = true;
    try {
      for (const profile of options.profiles()) await options.store.sweep(profile);
    } catch (error) {
      options.onError?.(error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void tick(), options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
