import { describe, expect, it } from 'vitest';
import { createDesktopApi } from './createDesktopApi.js';
import { DESKTOP_METHODS, STATE_CHANNEL, channelOf } from './DesktopApi.js';

describe('createDesktopApi', () => {
  it('sends each method on its channel with its one argument and unwraps answers; failures reject with the plain error', async () => {
    const sent: Array<[string, unknown]> = [];
    const listeners = new Map<string, (p: unknown) => void>();
    const api = createDesktopApi({
      invoke: async (channel, payload) => {
        sent.push([channel, payload]);
        return channel === channelOf('signIn')
          ? { ok: false, error: { code: 'login_cancelled', message: 'Sign-in was cancelled.' } }
          : { ok: true, value: 'fine' };
      },
      on: (channel, listener) => {
        listeners.set(channel, listener);
        return () => listeners.delete(channel);
      },
    });
    for (const method of DESKTOP_METHODS) expect(typeof api[method]).toBe('function');
    expect(await api.openWindow({ page: 'posture' })).toBe('fine');
    expect(sent).toEqual([['strongroom:openWindow', { page: 'posture' }]]);
    await expect(api.signIn()).rejects.toEqual({
      code: 'login_cancelled',
      message: 'Sign-in was cancelled.',
    });

    const states: unknown[] = [];
    const off = api.onState((s) => states.push(s));
    listeners.get(STATE_CHANNEL)?.({ now: 1 });
    expect(states).toEqual([{ now: 1 }]);
    off();
    expect(listeners.has(STATE_CHANNEL)).toBe(false);
    expect(Object.isFrozen(api)).toBe(true);
  });
});
