import type { AuditEventInput } from '../audit/AuditEvent.js';
import { apiAuditEvent, type ApiAuditFields } from '../api/apiAuditEvent.js';

/**
 * OCSF Authorize Session (class 3003, https://schema.ocsf.io): policy decisions and grant changes.
 * Activity 1 (Assign Privileges) when a grant starts; 99 (Other) for decisions and grant ends.
 * Requests, approvals and denials are API Activity (6003): `apiAuditEvent('api', …)`.
 */
export function authorizeSessionEvent(
  activity: 'assignPrivileges' | 'other',
  fields: Omit<ApiAuditFields, 'method'>,
): AuditEventInput {
  return {
    ...apiAuditEvent('api', fields),
    classUid: 3003,
    activityId: activity === 'assignPrivileges' ? 1 : 99,
  };
}
