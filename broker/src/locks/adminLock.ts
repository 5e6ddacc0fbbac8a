import type { CreateLock } from '@strongroom/shared/protocol/adminApi.js';
import { auditRefusal } from '../api/auditRefusal.js';
import { accountChangeEvent } from '../audit/ocsf.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';
import type { AdminCaller } from './AdminCaller.js';
import { lockInTx, type LockOutcome } from './lockPrincipal.js';

/**
 * An admin locks a person or one of their devices (`POST /api/v1/admin/locks`; the route checked
 * the role). Admins do not lock themselves (nobody else might be left to unlock). A refusal is
 * audited; a subject already locked answers with the lock in force (`created: false`).
 */
export async function adminLock(
  deps: { store: Store; now: () => number; eventsCommitted: () => void },
  caller: AdminCaller,
  body: CreateLock,
): Promise<LockOutcome> {
  const { store } = deps;
  const now = deps.now();
  const actor = { kind: 'admin' as const, userId: caller.user.id, email: caller.user.email };
  const target = body.user.includes('@')
    ? await store.getUserByEmail(body.user)
    : await store.getUser(body.user);
  const refuse = (error: BrokerError, reason: string): Promise<never> =>
    auditRefusal(
      store,
      accountChangeEvent('lock', {
        name: body.kind === 'device' ? 'device.lock' : 'user.lock',
        outcome: 'failure',
        actor,
        time: now,
        srcIp: caller.srcIp,
        data: { user: body.user, deviceId: body.deviceId ?? null, reason },
      }),
      error,
    );
  if (!target) return refuse(new BrokerError('not_found', 'no such user'), 'unknown_user');
  if (target.id === caller.user.id)
    return refuse(
      new BrokerError('forbidden', 'admins do not lock themselves: sign out instead'),
      'self_lock',
    );
  if (body.kind === 'device' && body.deviceId === undefined)
    return refuse(new BrokerError('invalid_request', 'a device lock needs deviceId'), 'no_device');
  let outcome: LockOutcome;
  try {
    outcome = await store.transaction((tx) =>
      lockInTx(
        tx,
        {
          kind: body.kind,
          userId: target.id,
          ...(body.deviceId === undefined ? {} : { deviceId: body.deviceId }),
          reason: body.reason,
          admin: { userId: caller.user.id, email: caller.user.email },
          srcIp: caller.srcIp,
        },
        now,
      ),
    );
  } catch (error) {
    if (error instanceof BrokerError && error.code === 'not_found') return refuse(error, 'unknown_device');
    throw error;
  }
  deps.eventsCommitted();
  return outcome;
}
