import { BrokerError } from '../../errors/BrokerError.js';
import type { Store } from '../../store/Store.js';
import { apiAuditEvent } from '../apiAuditEvent.js';

/**
 * An admin approves a `pending` re-enrolled device (`requireAdminApprovalForReenrollment`), making
 * it `active`; audited in the same transaction. Nobody approves their own device.
 */
export async function approveDevice(
  store: Store,
  admin: { userId: string; email?: string },
  deviceId: string,
  now: number,
): Promise<void> {
  await store.transaction(async (tx) => {
    const device = await tx.getDevice(deviceId);
    if (!device) throw new BrokerError('not_found', 'no such device');
    if (device.status !== 'pending')
      throw new BrokerError('conflict', `device is ${device.status}, not pending`);
    if (device.userId === admin.userId)
      throw new BrokerError('forbidden', 'nobody approves their own device');
    await tx.setDeviceStatus(deviceId, 'active');
    await tx.appendAudit(
      apiAuditEvent('inventory', {
        name: 'device.approve',
        outcome: 'success',
        actor: {
          kind: 'admin',
          userId: admin.userId,
          ...(admin.email ? { email: admin.email } : {}),
          deviceId,
        },
        time: now,
        data: { deviceId, owner: device.userId, hostname: device.hostname },
      }),
    );
  });
}
