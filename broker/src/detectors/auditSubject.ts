import type { AuditRecord } from '../audit/AuditEvent.js';

/** The person an audit record is about: `data.principal`/`data.holder` when named, else the actor. */
export function auditUserOf(record: AuditRecord): string | undefined {
  const data = record.data;
  const named = data?.['principal'] ?? data?.['holder'];
  if (typeof named === 'string') return named;
  return record.actor.userId;
}

/** The device a record names (actor or data), if any. */
export function auditDeviceOf(record: AuditRecord): string | undefined {
  const fromData = record.data?.['deviceId'];
  return typeof fromData === 'string' ? fromData : record.actor.deviceId;
}

/**
 * The catalog entity a record is about: `data.resource` (decisions), `data.target` (JIT, AWS
 * issuance), `data.hostGroup` (SSH certificates) or `data.service` (token exchange).
 */
export function auditTargetOf(record: AuditRecord): { type: string; id: string } | undefined {
  const data = record.data;
  const value = data?.['resource'] ?? data?.['target'];
  if (value === undefined) {
    if (typeof data?.['hostGroup'] === 'string') return { type: 'HostGroup', id: data['hostGroup'] };
    if (typeof data?.['service'] === 'string') return { type: 'Service', id: data['service'] };
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { type, id } = value as { type?: unknown; id?: unknown };
  return typeof type === 'string' && typeof id === 'string' ? { type, id } : undefined;
}

/** The tier a record states (`data.tier`), else the catalog's tier of its target. */
export function auditTierOf(
  record: AuditRecord,
  tierOf: (type: string, id: string) => string | undefined,
): string | undefined {
  const stated = record.data?.['tier'];
  if (typeof stated === 'string') return stated;
  const target = auditTargetOf(record);
  return target && tierOf(target.type, target.id);
}
