import { rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Store } from '../store/Store.js';
import { currentKrl } from './currentKrl.js';
import { loadSshCa } from './loadSshCa.js';
import { withOpenStore } from '../store/withOpenStore.js';

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
  const withStore = (fn: (store: Store) => Promise<void>): Promise<void> => withOpenStore(openStore, fn);
  const ssh = program.command('ssh').description("the broker's SSH user CA and its revocation list");
  ssh
    .command('ca')
    .description('print the CA public key line for TrustedUserCAKeys')
    .action(() => withStore(async (store) => io.print((await loadSshCa(store)).publicKeyLine)));
  ssh
    .command('krl')
    .description('write the current key revocation list (OpenSSH KRL) for RevokedKeys')
    .requiredOption('--out <file>', 'where to write it (replaced atomically: sshd reads it on every login)')
    .action((flags: { out: string }) =>
      withStore(async (store) => {
        const krl = await currentKrl(store, await loadSshCa(store), io.now());
        // A half-written KRL would make sshd refuse every key: write beside it, then rename over it.
        const temporary = `${flags.out}.${process.pid}.tmp`;
        await writeFile(temporary, krl);
        await rename(temporary, flags.out);
      }),
    );
  return ssh;
}
