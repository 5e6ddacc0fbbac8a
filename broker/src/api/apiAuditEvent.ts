import type { AuditActor, AuditEventInput } from '../audit/AuditEvent.js';

/**
 * Audit events of the device API, shaped after OCSF (https://schema.ocsf.io):
 * - `inventory`: Device Inventory Info (5001), activity 1 Log: enrollment, re-enrollment, status;
 * - `compliance`: Device Config State (5003), activity 1 Log: posture attestations and refusals,
 *   with the compliance verdict and per-check results in `data`;
 * - `api`: API Activity (6003): refused API authentication, activity from the HTTP method.
 */
export type ApiAuditKind = 'inventory' | 'compliance' | 'api';

export interface ApiAuditFields {
  /** Short machine name, e.g. 'device.enroll', 'posture.attest', 'api.auth'. */
  name: string;
  outcome: 'success' | 'failure';
  actor: AuditActor;
  time: number;
  srcIp?: string;
  /** 1 informational … 5 critical; defaults to 1 for success and 3 (medium) for a refusal. */
  severityId?: number;
  /** Never secrets: no tokens, nonces, proofs or keys (thumbprints are public). */
  data: Record<string, unknown>;
  /** For `api`: the HTTP method, which picks the OCSF activity. */
  method?: string;
}

const classOf = { inventory: 5001, compliance: 5003, api: 6003 } as const;
const apiActivity: Record<string, number> = { POST: 1, GET: 2, PUT: 3, PATCH: 3, DELETE: 4 };

export function apiAuditEvent(kind: ApiAuditKind, f: ApiAuditFields): AuditEventInput {
  return {
    classUid: classOf[kind],
    activityId: kind === 'api' ? (apiActivity[f.method ?? ''] ?? 99) : 1,
    activity: f.name,
    statusId: f.outcome === 'success' ? 1 : 2,
    severityId: f.severityId ?? (f.outcome === 'success' ? 1 : 3),
    actor: f.actor,
    time: f.time,
    ...(f.srcIp === undefined ? {} : { srcIp: f.srcIp }),
    data: f.data,
  };
}
