import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createKeychainCredentialStore } from './createKeychainCredentialStore.js';

/**
 * The agent and a CLI command both wipe a grant's entries when it ends, in two processes, at the
 * same moment. The Secret Service can delete an item between one client's search and its call on
 * that item; that must not surface as "no usable keychain". Runs against the real gnome-keyring.
 */
const storeModule = new URL('../../dist/vault/createKeychainCredentialStore.js', import.meta.url).href;
const ROUNDS = 60;

const writeMany = (profile: string): string => `
  import { createKeychainCredentialStore } from ${JSON.stringify(storeModule)};
  const store = createKeychainCredentialStore({ platform: process.platform });
  for (let i = 0; i < ${ROUNDS}; i++) await store.set(${JSON.stringify(profile)}, 'child-' + i, 'v', Date.now() + 60000);
  console.log('child done');
`;

function runChild(source: string): { exited: Promise<number | null>; output: () => string } {
  const child = spawn(process.execPath, ['--input-type=module', '-e', source], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  return { exited: new Promise((resolve) => child.on('exit', resolve)), output: () => out };
}

const churn = (profile: string): string => `
  import { createKeychainCredentialStore } from ${JSON.stringify(storeModule)};
  const store = createKeychainCredentialStore({ platform: process.platform });
  for (let i = 0; i < ${ROUNDS}; i++) {
    await store.set(${JSON.stringify(profile)}, 'shared', 'child-' + i, Date.now() + 60000);
    await store.get(${JSON.stringify(profile)}, 'shared');
    await store.delete(${JSON.stringify(profile)}, 'shared');
  }
  console.log('child done');
`;

describe('keychain shared by two processes', () => {
  it('neither process sees a keychain failure, and the entry ends deleted', async () => {
    const profile = `race-${randomBytes(6).toString('hex')}`;
    const store = createKeychainCredentialStore({ platform: process.platform });
    const child = runChild(churn(profile));

    for (let i = 0; i < ROUNDS; i++) {
      await store.set(profile, 'shared', `parent-${i}`, Date.now() + 60_000);
      await store.get(profile, 'shared');
      await store.delete(profile, 'shared');
    }
    expect(await child.exited, child.output()).toBe(0);
    expect(child.output()).toContain('child done');
    await store.clearProfile(profile);
    expect(await store.get(profile, 'shared')).toBeUndefined();
  }, 120_000);

  it('listing while another process writes and deletes entries never sees a keychain failure', async () => {
    // The search reads each item it found; an item deleted in between fails that read ("No such
    // interface “org.freedesktop.DBus.Properties” on object at path …/login/N").
    const profile = `race-${randomBytes(6).toString('hex')}`;
    const store = createKeychainCredentialStore({ platform: process.platform });
    const child = runChild(churn(profile));
    let done = false;
    void child.exited.then(() => (done = true));
    let lists = 0;
    while (!done) {
      const names = await store.list(profile);
      expect(names.every((n) => n === 'shared')).toBe(true);
      lists++;
    }
    expect(await child.exited, child.output()).toBe(0);
    expect(child.output()).toContain('child done');
    expect(lists).toBeGreaterThan(0);
  }, 120_000);

  it('sign-out deletes every entry two processes wrote at once, none left behind', async () => {
    const profile = `race-${randomBytes(6).toString('hex')}`;
    const store = createKeychainCredentialStore({ platform: process.platform });
    const child = runChild(writeMany(profile));
    for (let i = 0; i < ROUNDS; i++) await store.set(profile, `parent-${i}`, 'v', Date.now() + 60_000);
    expect(await child.exited, child.output()).toBe(0);
    expect((await store.list(profile)).length).toBe(2 * ROUNDS);

    await store.clearProfile(profile);
    // Ask the keychain itself, not our own bookkeeping.
    const { findCredentialsAsync } = await import('@napi-rs/keyring');
    const left = (await findCredentialsAsync('strongroom')).filter((c) =>
      c.account.startsWith(`${profile}/`),
    );
    expect(left).toEqual([]);
  }, 120_000);

  it('sign-out also deletes an index entry left by an older version', async () => {
    const profile = `legacy-${randomBytes(6).toString('hex')}`;
    const store = createKeychainCredentialStore({ platform: process.platform });
    const { AsyncEntry, findCredentialsAsync } = await import('@napi-rs/keyring');
    await new AsyncEntry('strongroom', `${profile}/.index`, {
      linux: { store: 'secret-service' },
    }).setPassword('["a"]');
    await store.set(profile, 'a', 'v', null);
    expect(await store.list(profile)).toEqual(['a']);
    await store.clearProfile(profile);
    const left = (await findCredentialsAsync('strongroom')).filter((c) =>
      c.account.startsWith(`${profile}/`),
    );
    expect(left).toEqual([]);
  });
});
