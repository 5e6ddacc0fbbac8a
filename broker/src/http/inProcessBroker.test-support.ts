import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBrokerConfig } from '../config/loadBrokerConfig.js';
import { oidcAdapter } from '../store/oidcAdapter.js';
import { openSqliteStore } from '../store/SqliteStore.js';
import type { Store } from '../store/Store.js';
import { createBrokerServer, type BrokerServer } from './createBrokerServer.js';

export interface InProcessBroker extends BrokerServer {
  store: Store;
  issuer: string;
  dataDir: string;
  /** The broker's clock; tests move it instead of waiting. */
  clock: { now: number };
  close(): Promise<void>;
}

/** The real broker server on a real SQLite store, driven with Fastify's inject() (no socket). */
export async function inProcessBroker(): Promise<InProcessBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), 'strongroom-http-'));
  const store = await openSqliteStore(dataDir);
  const config = loadBrokerConfig({ port: 7700 });
  const clock = { now: Date.now() };
  const now = () => clock.now;
  const server = await createBrokerServer({
    config,
    store,
    makeAdapter: (s) => oidcAdapter(s, { now }),
    now,
  });
  return {
    ...server,
    store,
    issuer: config.issuer,
    dataDir,
    clock,
    async close() {
      await server.app.close();
      await store.close();
    },
  };
}
