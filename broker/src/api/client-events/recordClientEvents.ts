import type { ClientAuditEvent, ClientAuditRequest } from '@strongroom/shared/protocol/clientAuditApi.js';
import type { AuditEventInput } from '../../audit/AuditEvent.js';
import { apiActivityEvent } from '../../audit/ocsf.js';
import { issuanceActor } from '../../credentials/auditIssuanceRefusal.js';
import { BrokerError } from '../../errors/BrokerError.js';
import type { Store } from '../../store/Store.js';
import type { ApiCaller } from '../auth/ApiCaller.js';
import type { CallerRateLimiter } from './CallerRateLimiter.js';

export interface ClientEventDeps {
  readonly store: Store;
  readonly now: () => number;
  readonly limiter: CallerRateLimiter;
}

/**
 * Records what a device's agent reports about its own loopback endpoints (clientAuditApi.ts) in the
 * audit log, one OCSF API Activity (6003, activity Other) record per event, all in one commit.
 * Each is named `client.<kind>` and carries `reportedBy: 'client'` with the reporting device: the
 * broker vouches only for who reported it (the DPoP-bound session's user and device), not for what
 * was reported, so a terminal or grant id in a report is the reporter's claim and is recorded as
 * such, never looked up or acted on. Rate-limited per device; the first refusal of a run is
 * recorded (once), then the caller gets `rate_limited` (429) until its bucket refills.
 */
export async function recordClientEvents(
  deps: ClientEventDeps,
  caller: ApiCaller,
  request: ClientAuditRequest,
): Promise<{ recorded: number }> {
  const now = deps.now();
  const actor = issuanceActor(caller);
  const limited = deps.limiter.take(`${caller.user.id}\u0000${caller.device?.id ?? caller.thumbprint}`, now);
  if (limited !== 'ok') {
    if (limited === 'limited-first')
      await deps.store.appendAudit(
        apiActivityEvent('create', {
          name: 'client.events.rate-limited',
          outcome: 'failure',
          actor,
          time: now,
          srcIp: caller.srcIp,
          data: { reportedBy: 'client', dropped: request.events.length },
        }),
      );
    throw new BrokerError('rate_limited', 'too many client event reports; send them later');
  }
  const records = request.events.map((event) => clientEventRecord(event, caller, now));
  await deps.store.appendAuditBatch(records);
  return { recorded: records.length };
}

function clientEventRecord(event: ClientAuditEvent, caller: ApiCaller, now: number): AuditEventInput {
  const { kind, ...fields } = event;
  return apiActivityEvent('other', {
    name: `client.${kind}`,
    // A refusal the agent made is a failed access by someone on that device.
    outcome: kind === 'terminal-token.refused' ? 'failure' : 'success',
    ...(kind === 'terminal-token.refused' ? { severity: 'medium' as const } : {}),
    actor: issuanceActor(caller),
    time: now,
    srcIp: caller.srcIp,
    data: { reportedBy: 'client', ...fields },
  });
}
