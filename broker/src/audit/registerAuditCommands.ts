import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import type { Store } from '../store/Store.js';
import { loadAuditSigner } from './AuditSigner.js';
import { exportAudit } from './exportAudit.js';
import { verifyAuditExport } from './verifyAuditExport.js';
import { writeCheckpoint } from './writeCheckpoint.js';
import { withOpenStore } from '../store/withOpenStore.js';

export interface AuditCommandIo {
  out: Writable;
  err: Writable;
  /** Called with 1 when verification fails (default: sets process.exitCode). */
  setExitCode: (code: number) => void;
}

const defaultIo: AuditCommandIo = {
  out: process.stdout,
  err: process.stderr,
  setExitCode: (code) => {
    process.exitCode = code;
  },
};

/**
 * Adds `audit export [--out FILE]`, `audit verify FILE [--key-id KID…]`, `audit checkpoint` and
 * `audit key` to a commander program. `openStore` opens the broker's configured store; the
 * commands close it when done. `verify` needs no store: it works offline on the file alone.
 */
export function registerAuditCommands(
  program: Command,
  openStore: () => Promise<Store>,
  io: AuditCommandIo = defaultIo,
): Command {
  const withStore = (fn: (store: Store) => Promise<void>): Promise<void> => withOpenStore(openStore, fn);

  const audit = program.command('audit').description('export and verify the tamper-evident audit log');

  audit
    .command('export')
    .description(
      'write the audit log as JSON Lines (records, signed checkpoints, public key, signed end line)',
    )
    .option('--out <file>', 'write to this file instead of standard output')
    .action(async (opts: { out?: string }) =>
      withStore(async (store) => {
        const signer = await loadAuditSigner(store);
        const out = opts.out ? createWriteStream(opts.out, { mode: 0o600 }) : io.out;
        const head = await exportAudit(store, out, { signer });
        if (opts.out) {
          out.end();
          await finished(out);
        }
        io.err.write(
          `exported ${head.seq} audit records (head ${head.hash}), signed by key ${signer.keyId}\n`,
        );
      }),
    );

  audit
    .command('verify')
    .description('check an export offline: hash chain, checkpoint signatures, signed end line')
    .argument('<file>', 'an audit export (JSON Lines)')
    .option('--key-id <kid...>', "trust only these audit key ids (see 'audit key')")
    .action(async (file: string, opts: { keyId?: string[] }) => {
      const result = await verifyAuditExport(file, opts.keyId ? { trustedKeyIds: opts.keyId } : {});
      if (result.ok) {
        io.out.write(
          `OK: ${result.records} records, ${result.checkpoints} checkpoints, head ${result.hash}, ` +
            `signed by key ${result.keyIds.join(', ')}\n`,
        );
        return;
      }
      const where = result.seq === null ? '' : `first bad record: seq ${result.seq}; `;
      io.err.write(`FAILED (${result.problem}) at line ${result.line}: ${where}${result.message}\n`);
      io.setExitCode(1);
    });

  audit
    .command('checkpoint')
    .description('sign a checkpoint of the current head now')
    .action(async () =>
      withStore(async (store) => {
        const checkpoint = await writeCheckpoint(store, await loadAuditSigner(store), Date.now());
        io.out.write(checkpoint ? `checkpoint at seq ${checkpoint.seq}\n` : 'nothing new to checkpoint\n');
      }),
    );

  audit
    .command('key')
    .description('print the audit public key (JWK) and its key id, to pin with `audit verify --key-id`')
    .action(async () =>
      withStore(async (store) => {
        const signer = await loadAuditSigner(store);
        io.out.write(`${JSON.stringify(signer.publicJwk)}\n`);
      }),
    );

  return audit;
}
