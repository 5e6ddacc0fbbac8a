import { BrokerError } from '../errors/BrokerError.js';
import type { AuditActor, AuditEventInput, OcsfClassUid } from './AuditEvent.js';
import { canonicalOrder } from './canonicalJson.js';

const classUids: ReadonlySet<number> = new Set<OcsfClassUid>([2004, 3001, 3002, 3003, 5001, 5003, 6003]);
const actorKinds: ReadonlySet<unknown> = new Set<AuditActor['kind']>([
  'user',
  'admin',
  'broker',
  'anonymous',
]);
const eventKeys: ReadonlySet<string> = new Set([
  'classUid',
  'activityId',
  'activity',
  'statusId',
  'actor',
  'time',
  'severityId',
  'srcIp',
  'data',
]);
const actorKeys: ReadonlySet<string> = new Set(['userId', 'email', 'deviceId', 'kind']);

/**
 * The runtime check of `AuditEventInput` (AuditEvent.ts), written out by hand because it runs for
 * every record of a 20,000/s group commit. Strict: an unknown member is refused, so nothing lands
 * in the chain that a reader of the type would not expect. Returns a copy holding only the known
 * members, in canonical order, with `data` checked for JSON-safety (canonicalJson.ts).
 */
export function validAuditEvent(input: AuditEventInput): AuditEventInput {
  const e = input as unknown as Record<string, unknown>;
  if (typeof e !== 'object' || e === null) throw malformed('not an object');
  for (const key of Object.keys(e)) if (!eventKeys.has(key)) throw malformed(`unknown member ${key}`);
  if (!classUids.has(e['classUid'] as number)) throw malformed('classUid is not a recorded OCSF class');
  if (!isInt(e['activityId'], 0, 255)) throw malformed('activityId is not an integer 0..255');
  if (!isText(e['activity'], 200)) throw malformed('activity is not a string of 1..200 characters');
  if (e['statusId'] !== 1 && e['statusId'] !== 2) throw malformed('statusId is not 1 or 2');
  if (!isInt(e['time'], 0, Number.MAX_SAFE_INTEGER)) throw malformed('time is not a non-negative integer');
  const actor = validActor(e['actor']);
  if (e['severityId'] !== undefined && !isInt(e['severityId'], 0, 99))
    throw malformed('severityId is not 0..99');
  if (e['srcIp'] !== undefined && !isText(e['srcIp'], 100)) throw malformed('srcIp is not 1..100 characters');
  const data = e['data'];
  if (data !== undefined && (typeof data !== 'object' || data === null || Array.isArray(data))) {
    throw malformed('data is not an object');
  }
  // Members in RFC 8785 order, so canonicalJson can serialize the record without a sorted copy.
  return {
    activity: input.activity,
    activityId: input.activityId,
    actor,
    classUid: input.classUid,
    // Sorted once here, so the record is already canonical when it is hashed and stored.
    ...(input.data === undefined ? {} : { data: canonicalOrder(input.data) }),
    ...(input.severityId === undefined ? {} : { severityId: input.severityId }),
    ...(input.srcIp === undefined ? {} : { srcIp: input.srcIp }),
    statusId: input.statusId,
    time: input.time,
  };
}

function validActor(value: unknown): AuditActor {
  if (typeof value !== 'object' || value === null) throw malformed('actor is not an object');
  const a = value as Record<string, unknown>;
  for (const key of Object.keys(a)) if (!actorKeys.has(key)) throw malformed(`unknown actor member ${key}`);
  if (!actorKinds.has(a['kind'])) throw malformed('actor.kind is not user, admin, broker or anonymous');
  for (const [key, max] of [
    ['userId', 200],
    ['email', 320],
    ['deviceId', 200],
  ] as const) {
    const v = a[key];
    if (v !== undefined && !isText(v, max))
      throw malformed(`actor.${key} is not a string of 1..${max} characters`);
  }
  // In RFC 8785 member order (deviceId < email < kind < userId); absent members are left out.
  const actor = {} as AuditActor;
  if (a['deviceId'] !== undefined) actor.deviceId = a['deviceId'] as string;
  if (a['email'] !== undefined) actor.email = a['email'] as string;
  actor.kind = a['kind'] as AuditActor['kind'];
  if (a['userId'] !== undefined) actor.userId = a['userId'] as string;
  return actor;
}

function isInt(v: unknown, min: number, max: number): boolean {
  return Number.isSafeInteger(v) && (v as number) >= min && (v as number) <= max;
}

function isText(v: unknown, max: number): v is string {
  return typeof v === 'string' && v.length >= 1 && v.length <= max;
}

function malformed(why: string): BrokerError {
  return new BrokerError('audit_write_failed', `audit event is malformed: ${why}`);
}
