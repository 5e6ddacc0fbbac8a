import type { AuditRecord } from '../audit/AuditEvent.js';
import { auditTierOf } from './auditSubject.js';

/** Records that ask for or use access to a target: a JIT request, an activation, a decision, an issuance. */
export const ACCESS_ACTIVITIES = [
  'jit.request',
  'jit.breakglass',
  'jit.grant.activate',
  'authorize',
  'credential.issue',
] as const;

/**
 * Whether the record asks for (`asked`) or got (`granted`) access to a restricted target. An
 * admin's what-if decision about someone else is neither.
 */
export function restrictedAccessOf(
  record: AuditRecord,
  tierOf: (type: string, id: string) => string | undefined,
): 'granted' | 'asked' | undefined {
  if (record.data?.['asAdmin'] === true) return undefined;
  if (auditTierOf(record, tierOf) !== 'restricted') return undefined;
  const allowed =
    record.statusId === 1 && (record.activity !== 'authorize' || record.data?.['decision'] === 'allow');
  return allowed ? 'granted' : 'asked';
}
