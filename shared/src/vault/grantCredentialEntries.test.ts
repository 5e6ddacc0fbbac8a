import { describe, expect, it } from 'vitest';
import { createMemoryCredentialStore } from './createMemoryCredentialStore.js';
import {
  grantCredentialEntry,
  grantTag,
  isGrantCredentialEntry,
  wipeGrantCredentials,
} from './grantCredentialEntries.js';

const uuid = 'c635d9bc-6529-422e-90d4-1fe08ce13c69';

describe('grantCredentialEntries', () => {
  it('names grant credentials g.<grant>.<name> and wipes exactly one grant', async () => {
    const store = createMemoryCredentialStore();
    const later = Date.now() + 60_000;
    await store.set('p', 'session', 's', later);
    await store.set('p', grantCredentialEntry(uuid, 'aws'), 'a', later);
    await store.set('p', grantCredentialEntry(uuid, 'ssh-cert'), 'b', later);
    await store.set('p', grantCredentialEntry('other', 'aws'), 'c', later);
    expect(grantCredentialEntry(uuid, 'aws')).toBe(`g.${uuid}.aws`);
    expect(await wipeGrantCredentials(store, 'p', uuid)).toEqual([`g.${uuid}.aws`, `g.${uuid}.ssh-cert`]);
    expect(await store.list('p')).toEqual(['session', 'g.other.aws']);
  });

  it('does not let one grant id prefix another', () => {
    expect(isGrantCredentialEntry('g.ab.aws', 'a')).toBe(false);
    expect(isGrantCredentialEntry('g.a.aws', 'a')).toBe(true);
  });

  it('hashes grant ids that would not fit a vault name, and refuses bad credential names', () => {
    expect(grantTag('x'.repeat(100))).toMatch(/^[0-9a-f]{32}$/);
    expect(grantTag('a/b')).toMatch(/^[0-9a-f]{32}$/);
    expect(grantCredentialEntry('x'.repeat(100), 'aws')).toHaveLength(2 + 32 + 4);
    expect(() => grantCredentialEntry(uuid, '../session')).toThrow(/Invalid grant credential name/);
    expect(() => grantCredentialEntry(uuid, 'x'.repeat(26))).toThrow();
  });
});
