import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Store } from '../store/Store.js';
import { currentKrl } from './currentKrl.js';
import { loadSshCa } from './loadSshCa.js';

/**
 * `strongroom-broker ssh ca` prints the CA public key line for sshd's `TrustedUserCAKeys` (making
 * the CA on a fresh store, so hosts can be set up before the broker first serves);
 * `ssh krl --out FILE` writes the current KRL for `RevokedKeys` (the same bytes as
 * `GET /api/v1/ssh/krl`). `openStore` opens the configured store; the commands close it.
 */
export function registerSshCommands(
  program: Command,
  openStore: () => Promise<Store>,
  io: { print: (line: string) => void; now: () => number },
): Command {
  const withStore = async (fn: (store: Store) => Promise<void>): Promise<void> => {
    const store = await openStore();
    try {
      await fn(store);
    } finally {
      await store.close();
    }
  };
  const ssh = program.command('ssh').description("the broker's SSH user CA and its revocation list");
  ssh
    .command('ca')
    .description('print the CA public key line for TrustedUserCAKeys')
    .action(() => withStore(async (store) => io.print((await loadSshCa(store)).publicKeyLine)));
  ssh
    .command('krl')
    .description('write the current key revocation list (OpenSSH KRL) for RevokedKeys')
    .requiredOption(
      '--out <file>',
      'where to write it (replaced atomically is up to the caller: write then mv)',
    )
    .action((flags: { out: string }) =>
      withStore(async (store) => {
        await writeFile(flags.out, await currentKrl(store, await loadSshCa(store), io.now()));
      }),
    );
  return ssh;
}
