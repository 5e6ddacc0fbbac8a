import type { Command } from 'commander';
import { adminReasonSchema } from '@strongroom/shared/protocol/adminApi.js';
import { emailsById, toAlertView, toDeadLetterView, toLockView } from '../alerts/adminViews.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';
import { lockInTx } from './lockPrincipal.js';
import { withOpenStore } from '../store/withOpenStore.js';

/**
 * `strongroom-broker alerts|locks|dead-letters|lock` against the configured store: what admins see
 * in the API, for the operator on the broker's host. `lock` locks a person at once (an operator
 * lock: recorded like an automatic one, so any admin may unlock it, with a key touch, through the
 * API or the pages; there is no unlock here because unlocking needs that touch). Running brokers
 * push the lock's `session.revoked` at their next event-stream poll.
 */
export function registerLockCommands(
  program: Command,
  /** Opens the store the command's own store flags name (addStoreOptions on each command). */
  openStore: (flags: object) => Promise<Store>,
  io: { print: (line: string) => void; now: () => number },
): Command[] {
  const withStore = <T>(flags: object, fn: (store: Store) => Promise<T>): Promise<T> =>
    withOpenStore(() => openStore(flags), fn);
  const show = (json: boolean | undefined, rows: readonly object[], line: (row: never) => string): void => {
    if (json === true) io.print(JSON.stringify(rows, null, 2));
    else if (rows.length === 0) io.print('(none)');
    else for (const row of rows) io.print(line(row as never));
  };
  const time = (ms: number | null): string => (ms === null ? '-' : new Date(ms).toISOString());

  const alerts = program
    .command('alerts')
    .description('list alerts raised by the detectors (newest first)')
    .option('--open', 'only alerts nobody acknowledged')
    .option('--json', 'print as JSON')
    .action((flags: { open?: boolean; json?: boolean }) =>
      withStore(flags, async (store) => {
        const emails = await emailsById(store);
        const rows = (
          await store.listAlerts({ ...(flags.open ? { status: 'open' as const } : {}), limit: 200 })
        ).map((a) => toAlertView(a, emails));
        show(flags.json, rows, (a: ReturnType<typeof toAlertView>) =>
          [
            time(a.createdAt),
            a.severity.toUpperCase(),
            a.detector,
            a.userEmail ?? a.userId ?? '-',
            a.status,
            a.lockId ? 'LOCKED' : '',
            a.summary,
          ].join('  '),
        );
      }),
    );

  const locks = program
    .command('locks')
    .description('list locks of people and devices (newest first)')
    .option('--active', 'only locks in force')
    .option('--json', 'print as JSON')
    .action((flags: { active?: boolean; json?: boolean }) =>
      withStore(flags, async (store) => {
        const emails = await emailsById(store);
        const rows = (await store.listLocks({ ...(flags.active ? { active: true } : {}), limit: 200 })).map(
          (l) => toLockView(l, emails),
        );
        show(flags.json, rows, (l: ReturnType<typeof toLockView>) =>
          [
            l.id,
            l.kind,
            l.userEmail ?? l.userId,
            l.deviceId ?? '',
            l.active ? 'IN FORCE' : `unlocked ${time(l.unlockedAt)}`,
            l.automatic ? 'automatic' : `by ${l.lockedBy}`,
            l.reason,
          ].join('  '),
        );
      }),
    );

  const deadLetters = program
    .command('dead-letters')
    .description('alert webhook deliveries that failed for good')
    .option('--json', 'print as JSON')
    .action((flags: { json?: boolean }) =>
      withStore(flags, async (store) => {
        const rows = (await store.listWebhookDeliveries({ status: 'dead', limit: 200 })).map(
          toDeadLetterView,
        );
        show(flags.json, rows, (d: ReturnType<typeof toDeadLetterView>) =>
          [time(d.updatedAt), d.destination, d.event, `${d.attempts} attempts`, d.lastError ?? ''].join('  '),
        );
      }),
    );

  const lock = program
    .command('lock')
    .description(
      'lock a person now (every session, grant and credential ends); any admin unlocks with a key touch',
    )
    .argument('<user>', 'email or user id')
    .requiredOption('--reason <text>', 'why (kept in the audit log and shown to the person)')
    .action((user: string, flags: { reason: string }) =>
      withStore(flags, async (store) => {
        const reason = adminReasonSchema.safeParse(flags.reason);
        if (!reason.success)
          throw new BrokerError(
            'invalid_request',
            `--reason: ${reason.error.issues[0]?.message ?? 'invalid'}`,
          );
        const found = user.includes('@') ? await store.getUserByEmail(user) : await store.getUser(user);
        if (!found) throw new BrokerError('not_found', `no such user: ${user}`, { expose: true });
        const outcome = await store.transaction((tx) =>
          lockInTx(tx, { kind: 'user', userId: found.id, reason: `operator: ${reason.data}` }, io.now()),
        );
        io.print(
          outcome.created
            ? `locked ${found.email} (lock ${outcome.lock.id}): ${outcome.grantsEnded.length} grant(s) ended, ${outcome.sessionsEnded} session(s) ended, ${outcome.credentialsRevoked} credential(s) revoked`
            : `${found.email} was already locked (lock ${outcome.lock.id})`,
        );
      }),
    );
  return [alerts, locks, deadLetters, lock];
}
