import { apiAuditEvent } from '../api/apiAuditEvent.js';
import { approveDevice } from '../api/devices/approveDevice.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';

export type DeviceAction = 'approve' | 'remove';

const next = { remove: 'removed' } as const;
const allowedFrom: Record<Exclude<DeviceAction, 'approve'>, readonly string[]> = {
  remove: ['active', 'pending', 'locked'],
};

/**
 * An admin approves or removes a device from the admin pages, audited (OCSF 5001) in the same
 * transaction. `approve` is approveDevice (pending → active, never one's own device). A removed
 * device stops counting as enrolled for policy at once (deviceContextFor). Locking and unlocking
 * are the lock workflow's (locks/: sessions and grants end; unlocking takes another admin's touch).
 */
export async function changeDeviceStatus(
  store: Store,
  admin: { userId: string; email: string; srcIp: string },
  deviceId: string,
  action: DeviceAction,
  now: number,
): Promise<void> {
  if (action === 'approve') return approveDevice(store, admin, deviceId, now);
  await store.transaction(async (tx) => {
    const device = await tx.getDevice(deviceId);
    if (!device) throw new BrokerError('not_found', 'no such device');
    if (!allowedFrom[action].includes(device.status))
      throw new BrokerError('conflict', `the device is ${device.status}: it cannot be ${action}ed`);
    await tx.setDeviceStatus(deviceId, next[action]);
    await tx.appendAudit(
      apiAuditEvent('inventory', {
        name: `device.${action}`,
        outcome: 'success',
        actor: { kind: 'admin', userId: admin.userId, email: admin.email },
        time: now,
        srcIp: admin.srcIp,
        severityId: 2,
        data: {
          deviceId,
          owner: device.userId,
          hostname: device.hostname,
          from: device.status,
          to: next[action],
        },
      }),
    );
  });
}
