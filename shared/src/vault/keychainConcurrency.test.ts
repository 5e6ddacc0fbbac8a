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

describe('keychain under two processes changing the same entry', () => {
  it('neither process sees a keychain failure, and the entry ends deleted', async () => {
    const profile = `race-${randomBytes(6).toString('hex')}`;
    const store = createKeychainCredentialStore({ platform: process.platform });
    const child = spawn(process.execPath, ['--input-type=module', '-e', churn(profile)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));

    for (let i = 0; i < ROUNDS; i++) {
      await store.set(profile, 'shared', `parent-${i}`, Date.now() + 60_000);
      await store.get(profile, 'shared');
      await store.delete(profile, 'shared');
    }
    expect(await exited, out).toBe(0);
    expect(out).toContain('child done');
    await store.clearProfile(profile);
    expect(await store.get(profile, 'shared')).toBeUndefined();
  }, 120_000);
});
