#!/usr/bin/env node
import { Command } from 'commander';
import { BrokerError } from '../errors/BrokerError.js';
import { registerAuditCommands } from '../audit/registerAuditCommands.js';
import { loadBrokerConfig } from '../config/loadBrokerConfig.js';
import { registerPolicyCommands } from '../policy/registerPolicyCommands.js';
import { registerSshCommands } from '../ssh/registerSshCommands.js';
import { registerLockCommands } from '../locks/registerLockCommands.js';
import { oidcAdapter } from '../store/oidcAdapter.js';
import { openStore } from './openStore.js';
import { inviteCommand } from './inviteCommand.js';
import { addServeOptions, serveConfigFrom, type ServeFlags } from './serveOptions.js';
import { addStoreOptions, storeConfigFrom, type StoreFlags } from './storeOptions.js';

const print = (line: string): void => void process.stdout.write(`${line}\n`);
const now = (): number => Date.now();

const program = new Command('strongroom-broker')
  .description('Strongroom access broker: hardware-key OpenID Provider, enrollment, audit log')
  .showHelpAfterError();

addServeOptions(addStoreOptions(program.command('serve').description('run the broker'))).action(
  async (flags: ServeFlags) => {
    // Loaded on demand so `invite` and `audit` start without oidc-provider and Fastify.
    const { serveCommand } = await import('./serveCommand.js');
    await serveCommand(serveConfigFrom(flags, process.env), {
      makeAdapter: (store) => oidcAdapter(store, { now }),
      print,
      now,
    });
  },
);

addStoreOptions(
  program
    .command('invite')
    .description('print a one-time enrollment link for a new user')
    .argument('<email>', "the new user's email")
    .option('--role <role...>', 'roles the user gets once enrolled', [])
    .option('--issuer <url>', 'issuer URL the link points at (default http://localhost:7700)'),
).action(async (email: string, flags: StoreFlags & { role: string[]; issuer?: string }) => {
  const issuer = flags.issuer ?? process.env['STRONGROOM_ISSUER'];
  await inviteCommand(
    { ...storeConfigFrom(flags, process.env), ...(issuer ? { issuer } : {}) },
    email,
    flags.role,
    {
      print,
      now,
    },
  );
});

// `audit export|verify|checkpoint|key` (broker/src/audit); the store flags sit on `audit` itself.
const audit = registerAuditCommands(program, () =>
  openStore(loadBrokerConfig(storeConfigFrom(audit.opts<StoreFlags>(), process.env))),
);
addStoreOptions(audit);

// `policy validate|test <dir>` (broker/src/policy): policy as code, checked offline.
registerPolicyCommands(program);

// `ssh ca|krl` (broker/src/ssh): the SSH user CA line for hosts and the current KRL.
const ssh = registerSshCommands(
  program,
  () => openStore(loadBrokerConfig(storeConfigFrom(ssh.opts<StoreFlags>(), process.env))),
  { print, now },
);
addStoreOptions(ssh);

// `alerts`, `locks`, `dead-letters`, `lock <user>` (broker/src/locks): the store flags on each.
for (const command of registerLockCommands(
  program,
  (flags) => openStore(loadBrokerConfig(storeConfigFrom(flags as StoreFlags, process.env))),
  { print, now },
))
  addStoreOptions(command);

program.parseAsync(process.argv).catch((error: unknown) => {
  if (error instanceof BrokerError && error.expose) {
    process.stderr.write(`strongroom-broker: ${error.message}\n`);
    process.exit(error.code === 'invalid_config' || error.code === 'invalid_request' ? 2 : 1);
  }
  process.stderr.write(`strongroom-broker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
