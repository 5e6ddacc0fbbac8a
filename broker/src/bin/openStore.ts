import type { BrokerConfig } from '../config/brokerConfigSchema.js';
import { openPostgresStore } from '../store/PostgresStore.js';
import { openSqliteStore } from '../store/SqliteStore.js';
import type { Store } from '../store/Store.js';

/** Opens (and migrates) the store the config names: SQLite under the data dir, or PostgreSQL. */
export function openStore(config: Pick<BrokerConfig, 'store' | 'dataDir'>): Promise<Store> {
  if (config.store.kind === 'postgres') {
    return openPostgresStore({
      connectionString: config.store.url,
      ...(config.store.schema ? { schema: config.store.schema } : {}),
    });
  }
  return openSqliteStore(config.dataDir);
}
