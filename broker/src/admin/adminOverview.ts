import type { GrantView } from '@strongroom/shared/protocol/jitApi.js';
import type { JitDeps } from '../jit/JitDeps.js';
import { toGrantView } from '../jit/toGrantView.js';
import type { DeviceRecord } from '../store/deviceRecords.js';
import type { UserRecord } from '../store/records.js';

export interface GrantRow {
  grant: GrantView;
  email: string;
}

/** Every grant in force or waiting for activation now (states from stored times), newest first. */
export async function liveGrants(deps: Pick<JitDeps, 'store' | 'now' | 'policy'>): Promise<GrantRow[]> {
  const now = deps.now();
  const rows: GrantRow[] = [];
  for (const user of await deps.store.listUsers()) {
    for (const g of await deps.store.listGrants(user.id, ['approved', 'active'])) {
      const grant = toGrantView(g, now, deps.policy.bundle.catalog);
      if (grant.state !== 'ended') rows.push({ grant, email: user.email });
    }
  }
  return rows.sort(
    (a, b) => (b.grant.activatedAt ?? b.grant.activateBy) - (a.grant.activatedAt ?? a.grant.activateBy),
  );
}

export interface DeviceRow {
  device: DeviceRecord;
  user: UserRecord;
  /** As policy sees it now (deviceContextFor): active, latest report compliant and fresh. */
  compliant: boolean;
  attestedAt: number | null;
  /** Checks whose latest result is not `pass`, e.g. `firewall: fail`. */
  problems: string[];
}

export async function deviceRows(deps: Pick<JitDeps, 'store' | 'devices'>): Promise<DeviceRow[]> {
  const rows: DeviceRow[] = [];
  for (const user of await deps.store.listUsers()) {
    for (const device of await deps.store.listDevices(user.id)) {
      if (device.status === 'replaced' || device.status === 'removed') continue;
      const posture = await deps.store.getDevicePosture(device.id);
      const context = await deps.devices.deviceContextFor(user.id, device.id);
      const problems = (posture?.checks ?? [])
        .filter((c) => c.status !== 'pass')
        .map((c) => `${c.id}: ${c.status}`);
      if (!posture) problems.push('never attested');
      rows.push({
        device,
        user,
        compliant: context.compliant,
        attestedAt: posture?.attestedAt ?? null,
        problems,
      });
    }
  }
  return rows;
}
