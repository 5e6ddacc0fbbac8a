import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenFingerprint } from '@strongroom/broker/oidc/tokenFingerprint.js';
import { openSqliteStore } from '@strongroom/broker/store/SqliteStore.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { brokerWithKey, type BrokerWithKey } from './harness/brokerWithKey.js';
import { signInWithKey } from './harness/keyCeremonies.js';
import type { LoopbackReceiver } from './harness/loopbackReceiver.js';
import { nativeClient, type NativeClient } from './harness/nativeClient.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';

// Real browser and broker processes on a shared 2-core machine: generous, not wall-clock assertions.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

const REFRESH_CHAINS = 3;
const KILL_AFTER_REFRESHES = 60;

// Crash safety: SIGKILL the broker in the middle of logins and refreshes, restart it, and check
// that the audit log verifies and holds a record for every token response the client received.
describe('broker: crash safety of the audit log', () => {
  let world: BrokerWithKey;
  let broker: RunningBroker;
  let page: Page;
  let receiver: LoopbackReceiver;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'strongroom-crash-'));
    world = await brokerWithKey({ dataDir });
    ({ broker, page, receiver } = world);
  });
  afterAll(async () => {
    await world?.close();
    await broker?.stop(); // the instance restarted after the crash
  });

  it('keeps a verifiable chain with a record for every received response across SIGKILL', async () => {
    const received: string[] = []; // access-token fingerprints the client got back
    let logins = 0;
    let refreshes = 0;
    let killed = false;

    async function login(client: NativeClient) {
      const pending = await client.begin(receiver.redirectUri);
      await signInWithKey(page, pending.url);
      const tokens = await pending.finish(await receiver.nextCallback());
      logins += 1;
      received.push(tokenFingerprint(tokens.access_token));
      return tokens;
    }

    const clients = await Promise.all(
      Array.from({ length: REFRESH_CHAINS }, () => nativeClient(broker.issuer)),
    );
    const starts: string[] = [];
    for (const client of clients) starts.push((await login(client)).refresh_token ?? '');

    const chain = async (client: NativeClient, refreshToken: string) => {
      let current = refreshToken;
      while (!killed) {
        try {
          const tokens = await client.refresh(current);
          received.push(tokenFingerprint(tokens.access_token));
          refreshes += 1;
          current = tokens.refresh_token ?? current;
        } catch {
          return; // the broker died under us; anything not received is not counted
        }
      }
    };
    const loginLoop = async () => {
      while (!killed) {
        try {
          await login(clients[0] as NativeClient);
        } catch {
          return;
        }
      }
    };
    const killer = (async () => {
      while (refreshes < KILL_AFTER_REFRESHES) await new Promise((r) => setTimeout(r, 5));
      killed = true;
      await broker.kill(); // mid-stream: other chains have requests in flight
    })();
    await Promise.all([...clients.map((client, i) => chain(client, starts[i] ?? '')), loginLoop(), killer]);
    expect(logins).toBeGreaterThanOrEqual(REFRESH_CHAINS);
    expect(refreshes).toBeGreaterThanOrEqual(KILL_AFTER_REFRESHES);

    // Restart on the same data directory: the store opens, the broker serves again.
    broker = await startBroker({ dataDir });
    const exportFile = join(dataDir, 'audit.jsonl');
    const exported = await broker.run(['audit', 'export', '--out', exportFile]);
    expect(exported.code).toBe(0);
    const verified = await broker.run(['audit', 'verify', exportFile]);
    expect(verified.stdout).toMatch(/^OK: /);
    expect(verified.code).toBe(0);

    const store = await openSqliteStore(dataDir);
    try {
      const records = await store.readAudit(1, 1_000_000);
      const audited = new Set(
        records
          .filter((r) => r.statusId === 1 && (r.activity === 'token.issue' || r.activity === 'token.refresh'))
          .map((r) => r.data?.['accessTokenFingerprint']),
      );
      const missing = received.filter((fp) => !audited.has(fp));
      expect(missing).toEqual([]);
      const loginRecords = records.filter((r) => r.activity === 'login' && r.statusId === 1).length;
      expect(loginRecords).toBeGreaterThanOrEqual(logins);
    } finally {
      await store.close();
    }
  });
});
