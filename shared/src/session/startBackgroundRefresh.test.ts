import { afterEach, describe, expect, it, vi } from 'vitest';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { HostContext } from './HostContext.js';
import type { SessionSummary } from './SessionSummary.js';
import { startBackgroundRefresh } from './startBackgroundRefresh.js';

/** The scheduler alone, on fake timers; refresh itself is tested against a provider in oidc/. */
function makeSummary(overrides: Partial<SessionSummary> = {}): SessionSummary {
  return {
    issuer: 'https://b',
    subject: 'u',
    email: undefined,
    name: undefined,
    amr: ['hwk'],
    acr: 'a',
    authTime: 0,
    accessTokenIssuedAt: 0,
    accessTokenExpiresAt: 600_000,
    sessionExpiresAt: 43_200_000,
    sessionEndSource: 'id_token',
    deviceKeyThumbprint: 't',
    deviceKeyProtection: 'software',
    ...overrides,
  };
}
const host = (notices: string[] = []): HostContext => ({
  platform: 'linux',
  openBrowser: () => Promise.resolve(),
  now: () => Date.now(),
  log: () => undefined,
  notify: (m) => notices.push(m),
});

afterEach(() => {
  vi.useRealTimers();
});

describe('startBackgroundRefresh', () => {
  it('refreshes at 80% of each access token life', async () => {
    vi.useFakeTimers({ now: 0 });
    const times: number[] = [];
    const { stop } = startBackgroundRefresh({
      host: host(),
      readSession: () => Promise.resolve(makeSummary()),
      refresh: () => {
        times.push(Date.now());
        return Promise.resolve({
          summary: makeSummary({
            accessTokenIssuedAt: Date.now(),
            accessTokenExpiresAt: Date.now() + 600_000,
          }),
        });
      },
    });
    await vi.advanceTimersByTimeAsync(479_999);
    expect(times).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(times).toEqual([480_000]);
    await vi.advanceTimersByTimeAsync(480_000);
    expect(times).toEqual([480_000, 960_000]);
    stop();
  });

  it('retries while the broker is unreachable, and ends when the broker refuses', async () => {
    vi.useFakeTimers({ now: 0 });
    const outcomes: Array<StrongroomError> = [
      new StrongroomError('broker_unreachable', 'down'),
      new StrongroomError('session_expired', 'Your Strongroom session has ended: revoked'),
    ];
    let ended: StrongroomError | undefined;
    let calls = 0;
    startBackgroundRefresh({
      host: host(),
      readSession: () => Promise.resolve(makeSummary()),
      refresh: () => {
        calls += 1;
        return Promise.reject(outcomes.shift());
      },
      onEnded: (reason) => (ended = reason),
      retryMs: 10_000,
    });
    await vi.advanceTimersByTimeAsync(480_000);
    expect(calls).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(calls).toBe(2);
    expect(ended?.code).toBe('session_expired');
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(calls).toBe(2);
  });

  it('ends at once when there is no session', async () => {
    let ended = false;
    startBackgroundRefresh({
      host: host(),
      readSession: () => Promise.resolve(undefined),
      refresh: () => Promise.reject(new Error('no')),
      onEnded: () => (ended = true),
    });
    await vi.waitFor(() => expect(ended).toBe(true));
  });
});
