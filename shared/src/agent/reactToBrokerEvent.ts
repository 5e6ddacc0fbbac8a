import type { z } from 'zod';
import type { UserEvent } from '../protocol/jitApi.js';
import type { AgentNotification } from './AgentNotifier.js';
import { eventData, targetName } from './brokerEventData.js';

export interface EventReactions {
  notify(notification: AgentNotification): void;
  /** Wipe everything and refuse until a new sign-in; `thumbprint`: only if it names this device's key. */
  lockDown(reason: string, source: string, thumbprint?: string): Promise<void>;
  wipeGrant(grantId: string): Promise<void>;
  syncGrants(): Promise<void>;
  syncToApprove(): Promise<void>;
  recheckPosture(): void;
  log(level: 'debug' | 'info' | 'warn', message: string): void;
}

type Reaction<S extends z.ZodType> = {
  readonly data: S;
  readonly run: (data: z.output<S>, event: UserEvent, r: EventReactions) => Promise<void>;
};

function reaction<S extends z.ZodType>(data: S, run: Reaction<S>['run']): Reaction<z.ZodType> {
  return { data, run } as unknown as Reaction<z.ZodType>;
}

const until = (t: number | undefined | null): string =>
  t === undefined || t === null ? '' : ` (until ${new Date(t).toISOString().slice(11, 16)} UTC)`;

/**
 * What the agent does for each broker event type, as data (a new event type is one more entry).
 * Types not listed are ignored: the broker may add events before the agent knows them.
 */
const REACTIONS: Readonly<Record<string, Reaction<z.ZodType>>> = {
  'request.approved': reaction(eventData['request.approved'], async (d, _e, r) => {
    r.notify({
      key: `request:${d.requestId}:approved`,
      severity: 'info',
      title: `Access approved: ${targetName(d.target)}`,
      body: `Activate it when you need it${d.activateBy === undefined ? '' : `, before ${new Date(d.activateBy).toISOString().slice(11, 16)} UTC`}.`,
      actions: [{ kind: 'activate', grantId: d.grantId }],
    });
    await r.syncGrants();
  }),
  'approval.recorded': reaction(eventData['approval.recorded'], async (d, _e, r) => {
    r.notify({
      key: `request:${d.requestId}:approval:${String(d.approvals)}`,
      severity: 'info',
      title: `Approval ${String(d.approvals)} of ${String(d.approvalsRequired)}: ${targetName(d.target)}`,
      body: 'Waiting for the remaining approvals.',
      actions: [],
    });
    return Promise.resolve();
  }),
  'request.pending': reaction(eventData['request.pending'], async (d, _e, r) => {
    // Sent to the requester too (no `requester` field): only approvers are asked to act.
    if (d.requester !== undefined)
      r.notify({
        key: `request:${d.requestId}:review`,
        severity: 'info',
        title: `${d.requester} asks for ${targetName(d.target)}`,
        body: 'Review and approve with a key touch.',
        actions: [{ kind: 'review', requestId: d.requestId }],
      });
    await r.syncToApprove();
  }),
  'request.denied': reaction(eventData['request.denied'], async (d, _e, r) => {
    r.notify({
      key: `request:${d.requestId}:denied`,
      severity: 'warning',
      title: `Request denied: ${targetName(d.target)}`,
      body: d.reason ?? 'An approver denied the request.',
      actions: [],
    });
    await r.syncToApprove();
  }),
  'request.cancelled': reaction(eventData['request.pending'], async (_d, _e, r) => r.syncToApprove()),
  'request.expired': reaction(eventData['request.pending'], async (_d, _e, r) => r.syncToApprove()),
  'grant.activated': reaction(eventData['grant.activated'], async (_d, _e, r) => r.syncGrants()),
  'grant.expiring': reaction(eventData['grant.expiring'], async (d, _e, r) => {
    r.notify({
      key: `grant:${d.grantId}:expiring:${String(d.minutesLeft)}`,
      severity: 'warning',
      title: `${targetName(d.target)} ends in ${String(d.minutesLeft)} minutes${until(d.expiresAt)}`,
      body: 'Extend it by asking again, or finish up.',
      actions: [{ kind: 'extend', grantId: d.grantId, target: d.target }],
    });
    return Promise.resolve();
  }),
  'grant.ended': reaction(eventData['grant.ended'], async (d, _e, r) => {
    await r.wipeGrant(d.grantId);
    r.notify({
      key: `grant:${d.grantId}:ended`,
      severity: d.reason === 'expired' || d.reason === 'dropped' ? 'info' : 'warning',
      title: `Access ended: ${targetName(d.target)}`,
      body: `Reason: ${d.reason ?? 'ended'}. Credentials issued under it were removed from this device.`,
      actions: [],
    });
    await r.syncGrants();
  }),
  // A lock or revoke: the broker has already ended the sessions, grants and credentials; the
  // agent wipes this device and tells the user why.
  'session.revoked': reaction(eventData['session.revoked'], async (d, _e, r) =>
    r.lockDown(
      d.reason ?? 'The broker revoked your session.',
      'session.revoked',
      d.scope === 'device' && typeof d.thumbprint === 'string' ? d.thumbprint : undefined,
    ),
  ),
  'principal.locked': reaction(eventData['principal.locked'], async (d, _e, r) => {
    r.notify({
      key: `locked:${d.email ?? 'someone'}:${d.reason ?? ''}`,
      severity: 'warning',
      title: `Strongroom locked ${d.email ?? 'an account'}`,
      body: d.reason ?? 'See the admin pages for the alert behind it.',
      actions: [],
    });
    return Promise.resolve();
  }),
  'device.compliance': reaction(eventData['device.compliance'], async (d, _e, r) => {
    for (const grantId of d.grantsEnded ?? []) await r.wipeGrant(grantId);
    r.recheckPosture();
  }),
};

/** Applies one broker event (REACTIONS); unknown types are ignored, malformed data is logged. */
export async function reactToBrokerEvent(event: UserEvent, r: EventReactions): Promise<void> {
  const entry = REACTIONS[event.type];
  if (entry === undefined) {
    r.log('debug', `No reaction to event ${event.type}`);
    return;
  }
  const data = entry.data.safeParse(event.data);
  if (!data.success) {
    r.log('warn', `Event ${String(event.id)} (${event.type}) has unexpected data`);
    // Fail safe: a revoke whose details cannot be read still wipes this device.
    if (event.type === 'session.revoked') await r.lockDown('The broker revoked your session.', event.type);
    return;
  }
  await entry.run(data.data, event, r);
}
