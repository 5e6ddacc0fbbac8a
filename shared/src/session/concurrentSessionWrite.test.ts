import { describe, expect, it } from 'vitest';
import type { CredentialStore } from '../vault/CredentialStore.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { readSession } from './readSession.js';
import { ACCESS_TOKEN_ENTRY, REFRESH_TOKEN_ENTRY, SESSION_ENTRY } from './sessionEntries.js';
import type { SessionSummary } from './SessionSummary.js';
import { storeSession } from './storeSession.js';

const now = Date.now();
const summary: SessionSummary = {
  issuer: 'http://localhost:7700',
  subject: 'alice',
  email: 'alice@example.test',
  name: undefined,
  amr: ['hwk'],
  acr: 'urn:strongroom:acr:hwk',
  authTime: Math.floor(now / 1000),
  accessTokenIssuedAt: now,
  accessTokenExpiresAt: now + 600_000,
  sessionExpiresAt: now + 12 * 3_600_000,
  sessionEndSource: 'id_token',
  deviceKeyThumbprint: 'jkt',
  deviceKeyProtection: 'software',
};

/** A vault that stops after its `n`th write until released: another process's read runs in that gap. */
function pausingAfterWrite(inner: CredentialStore, n: number) {
  let writes = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let reached!: () => void;
  const paused = new Promise<void>((r) => (reached = r));
  const store: CredentialStore = {
    ...inner,
    get: (p, name) => inner.get(p, name),
    list: (p) => inner.list(p),
    delete: (p, name) => inner.delete(p, name),
    clearProfile: (p) => inner.clearProfile(p),
    sweep: (p) => inner.sweep(p),
    async set(p, name, value, expiresAt) {
      await inner.set(p, name, value, expiresAt);
      if (++writes === n) {
        reached();
        await released;
      }
    },
  };
  return { store, paused, release };
}

// Two processes share the keychain: the agent syncs (readSession) while `strongroom login` writes.
describe('a session read while another process writes one', () => {
  for (const after of [1, 2]) {
    it(`leaves the new session whole when the read falls after write ${after}`, async () => {
      const vault = createMemoryCredentialStore();
      const writer = pausingAfterWrite(vault, after);
      const writing = storeSession(
        writer.store,
        'default',
        { accessToken: 'at', refreshToken: 'rt' },
        summary,
      );
      await writer.paused;
      expect(await readSession(vault, 'default')).toEqual(summary);
      writer.release();
      await writing;
      expect(await readSession(vault, 'default')).toEqual(summary);
      expect(await vault.get('default', ACCESS_TOKEN_ENTRY)).toBe('at');
      expect(await vault.get('default', REFRESH_TOKEN_ENTRY)).toBe('rt');
    });
  }

  it('still deletes what an ended session left behind', async () => {
    const vault = createMemoryCredentialStore();
    await storeSession(vault, 'default', { accessToken: 'at', refreshToken: 'rt' }, summary);
    await vault.delete('default', SESSION_ENTRY);
    expect(await readSession(vault, 'default')).toBeUndefined();
    expect(await vault.list('default')).toEqual([]);
  });
});
