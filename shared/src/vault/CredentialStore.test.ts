import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CredentialStore } from './CredentialStore.js';
import { createKeychainCredentialStore } from './createKeychainCredentialStore.js';
import { createMemoryCredentialStore } from './createMemoryCredentialStore.js';
import { startCredentialSweeper } from './startCredentialSweeper.js';

/**
 * One conformance suite for every CredentialStore. The keychain variant talks to the real
 * gnome-keyring started by test/scripts/with-keyring.sh (run under dbus-run-session).
 */
interface Clock {
  now: () => number;
  advance: (ms: number) => void;
}
function makeClock(start = 1_800_000_000_000): Clock {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

const implementations: Array<[string, (now: () => number) => CredentialStore]> = [
  ['memory', (now) => createMemoryCredentialStore(now)],
  ['keychain', (now) => createKeychainCredentialStore({ platform: process.platform, now })],
];

describe.each(implementations)('CredentialStore conformance: %s', (_kind, make) => {
  const profiles: string[] = [];
  let store: CredentialStore;
  let clock: Clock;
  const profile = (): string => {
    const p = `test-${randomBytes(6).toString('hex')}`;
    profiles.push(p);
    return p;
  };
  const setup = (): void => {
    clock = makeClock();
    store = make(clock.now);
  };
  afterEach(async () => {
    for (const p of profiles.splice(0)) await store.clearProfile(p);
  });

  it('stores and reads a value before its expiry', async () => {
    setup();
    const p = profile();
    await store.set(p, 'access_token', 'secret-1', clock.now() + 60_000);
    expect(await store.get(p, 'access_token')).toBe('secret-1');
    expect(await store.list(p)).toEqual(['access_token']);
  });

  it('overwrites a value without listing it twice', async () => {
    setup();
    const p = profile();
    await store.set(p, 'refresh_token', 'one', clock.now() + 60_000);
    await store.set(p, 'refresh_token', 'two', clock.now() + 60_000);
    expect(await store.get(p, 'refresh_token')).toBe('two');
    expect(await store.list(p)).toEqual(['refresh_token']);
  });

  it('deletes an expired value when it is read', async () => {
    setup();
    const p = profile();
    await store.set(p, 'access_token', 'short', clock.now() + 1_000);
    clock.advance(1_000);
    expect(await store.get(p, 'access_token')).toBeUndefined();
    expect(await store.list(p)).toEqual([]);
    // Gone from the backend too: a clock moved back does not resurrect it.
    const again = make(() => 0);
    expect(await again.get(p, 'access_token')).toBeUndefined();
  });

  it('refuses to store something already expired', async () => {
    setup();
    const p = profile();
    await expect(store.set(p, 'x', 'v', clock.now())).rejects.toMatchObject({ code: 'internal' });
    expect(await store.list(p)).toEqual([]);
  });

  it('keeps values without expiry until deleted', async () => {
    setup();
    const p = profile();
    await store.set(p, 'device_key', '{"kty":"EC"}', null);
    clock.advance(10 * 365 * 24 * 3600 * 1000);
    expect(await store.get(p, 'device_key')).toBe('{"kty":"EC"}');
    await store.delete(p, 'device_key');
    expect(await store.get(p, 'device_key')).toBeUndefined();
  });

  it('sweeps only expired values', async () => {
    setup();
    const p = profile();
    await store.set(p, 'a', '1', clock.now() + 1_000);
    await store.set(p, 'b', '2', clock.now() + 5_000);
    await store.set(p, 'c', '3', null);
    clock.advance(2_000);
    expect(await store.sweep(p)).toBe(1);
    expect([...(await store.list(p))].sort()).toEqual(['b', 'c']);
  });

  it('clearProfile deletes everything the profile stored and nothing else', async () => {
    setup();
    const p = profile();
    const other = profile();
    await store.set(p, 'a', '1', clock.now() + 60_000);
    await store.set(p, 'b', '2', null);
    await store.set(other, 'a', 'keep', clock.now() + 60_000);
    await store.clearProfile(p);
    expect(await store.list(p)).toEqual([]);
    expect(await store.get(p, 'a')).toBeUndefined();
    expect(await store.get(p, 'b')).toBeUndefined();
    expect(await store.get(other, 'a')).toBe('keep');
  });

  it('rejects names that could escape the profile namespace', async () => {
    setup();
    for (const bad of ['../x', 'a/b', '', '.index', 'x'.repeat(65)]) {
      await expect(store.set('default', bad, 'v', null)).rejects.toMatchObject({ code: 'usage' });
      await expect(store.set(bad, 'a', 'v', null)).rejects.toMatchObject({ code: 'usage' });
    }
  });

  it('does not hold a new connection per operation (a long-running host must not exhaust the bus)', async () => {
    setup();
    const p = profile();
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    await store.set(p, 'a', '0', clock.now() + 60_000);
    const before = openFds();
    for (let i = 0; i < 100; i += 1) {
      await store.set(p, 'a', String(i), clock.now() + 60_000);
      await store.get(p, 'a');
    }
    expect(openFds() - before).toBeLessThan(10);
  });

  it('does not keep a connection per name it deleted (the agent sees new grant-tagged names for days)', async () => {
    setup();
    const p = profile();
    const openFds = (): number => readdirSync('/proc/self/fd').length;
    // Collect what is unreachable, so an entry that was let go has closed its connection.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const collect = async (): Promise<void> => {
      for (let k = 0; k < 3; k += 1) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    await store.set(p, 'warm', '0', clock.now() + 60_000);
    await store.delete(p, 'warm');
    await collect();
    const before = openFds();
    for (let i = 0; i < 120; i += 1) {
      await store.set(p, `g.grant${i}.svc0`, 'token', clock.now() + 60_000);
      await store.delete(p, `g.grant${i}.svc0`);
    }
    await collect();
    expect(openFds() - before).toBeLessThan(10);
  });

  it('a sweeper removes expired values in the background', async () => {
    setup();
    const p = profile();
    await store.set(p, 'a', '1', clock.now() + 1_000);
    clock.advance(5_000);
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const stop = startCredentialSweeper({ store, profiles: () => [p], intervalMs: 1_000 });
      vi.advanceTimersByTime(1_000);
      stop();
    } finally {
      vi.useRealTimers();
    }
    await vi.waitFor(async () => expect(await store.list(p)).toEqual([]));
  });
});
