import type { AuditActor, AuditEventInput } from './AuditEvent.js';

/**
 * Constructors for the OCSF classes the broker records (https://schema.ocsf.io, v1.x), so callers
 * name an activity and an outcome instead of hand-rolling class, activity, status and severity ids.
 */

/** Authentication (class 3002) activity_id values. */
export const authenticationActivities = {
  logon: 1,
  logoff: 2,
  authenticationTicket: 3,
  serviceTicketRequest: 4,
  serviceTicketRenew: 5,
  preauth: 6,
  other: 99,
} as const;

/** Account Change (class 3001) activity_id values. */
export const accountChangeActivities = {
  create: 1,
  enable: 2,
  passwordChange: 3,
  passwordReset: 4,
  disable: 5,
  delete: 6,
  attachPolicy: 7,
  detachPolicy: 8,
  lock: 9,
  mfaFactorEnable: 10,
  mfaFactorDisable: 11,
  unlock: 12,
  other: 99,
} as const;

/** API Activity (class 6003) activity_id values. */
export const apiActivities = { create: 1, read: 2, update: 3, delete: 4, other: 99 } as const;

/** Detection Finding (class 2004) activity_id values. */
export const detectionFindingActivities = { create: 1, update: 2, close: 3, other: 99 } as const;

/** OCSF severity_id values. */
export const severities = { informational: 1, low: 2, medium: 3, high: 4, critical: 5 } as const;

export interface OcsfEventFields {
  /** Short machine name of what happened, e.g. 'login', 'token.refresh', 'user.lock'. */
  name: string;
  outcome: 'success' | 'failure';
  actor: AuditActor;
  /** Milliseconds since the epoch, from the broker's clock. */
  time: number;
  /** Defaults to informational for a success and low for a failure. */
  severity?: keyof typeof severities;
  srcIp?: string;
  /** Event-specific fields; never secrets (tokens, codes, keys). */
  data?: Record<string, unknown>;
}

export function authenticationEvent(
  activity: keyof typeof authenticationActivities,
  fields: OcsfEventFields,
): AuditEventInput {
  return ocsfEvent(3002, authenticationActivities[activity], fields);
}

export function accountChangeEvent(
  activity: keyof typeof accountChangeActivities,
  fields: OcsfEventFields,
): AuditEventInput {
  return ocsfEvent(3001, accountChangeActivities[activity], fields);
}

export function apiActivityEvent(
  activity: keyof typeof apiActivities,
  fields: OcsfEventFields,
): AuditEventInput {
  return ocsfEvent(6003, apiActivities[activity], fields);
}

export function detectionFindingEvent(
  activity: keyof typeof detectionFindingActivities,
  fields: OcsfEventFields,
): AuditEventInput {
  return ocsfEvent(2004, detectionFindingActivities[activity], fields);
}

function ocsfEvent(
  classUid: AuditEventInput['classUid'],
  activityId: number,
  fields: OcsfEventFields,
): AuditEventInput {
  const severity = fields.severity ?? (fields.outcome === 'success' ? 'informational' : 'low');
  return {
    classUid,
    activityId,
    activity: fields.name,
    statusId: fields.outcome === 'success' ? 1 : 2,
    severityId: severities[severity],
    actor: fields.actor,
    time: fields.time,
    ...(fields.srcIp === undefined ? {} : { srcIp: fields.srcIp }),
    ...(fields.data === undefined ? {} : { data: fields.data }),
  };
}
