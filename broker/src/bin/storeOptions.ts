import { Option, type Command } from 'commander';
import type { BrokerConfigInput } from '../config/brokerConfigSchema.js';

export interface StoreFlags {
  data?: string;
  store?: 'sqlite' | 'postgres';
  databaseUrl?: string;
  databaseSchema?: string;
}

/** The flags every command that opens the store shares (--data, --store, --database-url). */
export function addStoreOptions(command: Command): Command {
  return command
    .option('--data <dir>', 'data directory for the SQLite store (env STRONGROOM_DATA_DIR)')
    .addOption(new Option('--store <kind>', 'store kind').choices(['sqlite', 'postgres']))
    .option('--database-url <url>', 'PostgreSQL connection string (env STRONGROOM_DATABASE_URL)')
    .option('--database-schema <name>', 'PostgreSQL schema for the tables');
}

/** Flags and environment into the config's store part; the schema validates the result. */
export function storeConfigFrom(
  flags: StoreFlags,
  env: NodeJS.ProcessEnv,
): Pick<BrokerConfigInput, 'dataDir' | 'store'> {
  const dataDir = flags.data ?? env['STRONGROOM_DATA_DIR'];
  const url = flags.databaseUrl ?? env['STRONGROOM_DATABASE_URL'];
  const kind = flags.store ?? (url ? 'postgres' : 'sqlite');
  return {
    ...(dataDir ? { dataDir } : {}),
    store:
      kind === 'postgres'
        ? { kind, url: url ?? '', ...(flags.databaseSchema ? { schema: flags.databaseSchema } : {}) }
        : { kind },
  };
}
