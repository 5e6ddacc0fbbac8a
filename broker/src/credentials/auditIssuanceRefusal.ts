import type { AuditActor } from '../audit/AuditEvent.js';
import { auditRefusal } from '../api/auditRefusal.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { authorizeSessionEvent } from '../jit/authorizeSessionEvent.js';
import type { Store } from '../store/Store.js';
import type { IssuedCredentialKind } from './issuedCredentialRecord.js';

/**
 * A refused credential issue (issue 6, "Bad input"): audited as `credential.issue` failure with the
 * kind, what was asked and why (the BrokerError's code and words), then thrown as 400 for a malformed
 * ask and 403 for everything else, so a client's helpers stop and wipe what they cached. Server
 * failures (5xx) and non-broker errors are rethrown as they are.
 */
export async function auditIssuanceRefusal(
  deps: { store: Store; now: () => number },
  caller: ApiCaller,
  kind: IssuedCredentialKind,
  asked: Record<string, unknown>,
  error: unknown,
): Promise<never> {
  if (!(error instanceof BrokerError) || error.status >= 500) throw error;
  return auditRefusal(
    deps.store,
    authorizeSessionEvent('other', {
      name: 'credential.issue',
      outcome: 'failure',
      actor: issuanceActor(caller),
      time: deps.now(),
      srcIp: caller.srcIp,
      data: { kind, ...asked, reason: error.code, detail: error.message },
    }),
    new BrokerError(error.code, error.message, {
      status: error.code === 'invalid_request' ? 400 : 403,
      cause: error,
    }),
  );
}

/** Who asked for a credential, for its audit records: the user and the calling device. */
export function issuanceActor(caller: ApiCaller): AuditActor {
  return {
    kind: 'user',
    userId: caller.user.id,
    email: caller.user.email,
    ...(caller.device === undefined ? {} : { deviceId: caller.device.id }),
  };
}
