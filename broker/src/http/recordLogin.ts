import { BrokerError } from '../errors/BrokerError.js';
import { HARDWARE_KEY_ACR, HARDWARE_KEY_AMR } from '../oidc/acr.js';
import type { LoginVerification } from '../webauthn/verifyLoginAssertion.js';
import type { RouteDeps } from './routeDeps.js';

type Ok = Extract<LoginVerification, { ok: true }>;
type Failed = Extract<LoginVerification, { ok: false }>;

/**
 * Records the login (OCSF Authentication 3002, activity 1 Logon) and moves the sign counter in one
 * transaction. The counter is re-read inside it so two concurrent logins with a cloned key cannot
 * both pass the forward-only check.
 */
export async function recordLoginSuccess(
  deps: Pick<RouteDeps, 'store' | 'now'>,
  login: Ok,
  meta: { clientId: string; srcIp: string },
): Promise<void> {
  const now = deps.now();
  await deps.store.transaction(async (tx) => {
    const current = await tx.getCredential(login.credential.id);
    if (!current || ((login.newCounter > 0 || current.counter > 0) && login.newCounter <= current.counter)) {
      throw new BrokerError('webauthn_failed', 'Sign-in with this security key failed.', { status: 401 });
    }
    await tx.updateCredentialUse(login.credential.id, login.newCounter, now);
    await tx.appendAudit({
      classUid: 3002,
      activityId: 1,
      activity: 'login',
      statusId: 1,
      actor: { kind: 'user', userId: login.user.id, email: login.user.email },
      time: now,
      srcIp: meta.srcIp,
      data: {
        clientId: meta.clientId,
        credentialId: login.credential.id,
        aaguid: login.credential.aaguid,
        acr: HARDWARE_KEY_ACR,
        amr: HARDWARE_KEY_AMR,
      },
    });
  });
}

/**
 * A failed login is recorded too; a counter that went backwards is evidence of a cloned key, so it
 * is recorded as critical (OCSF severity 5).
 */
export async function recordLoginFailure(
  deps: Pick<RouteDeps, 'store' | 'now'>,
  failure: Failed,
  meta: { clientId: string; srcIp: string },
): Promise<void> {
  await deps.store.appendAudit({
    classUid: 3002,
    activityId: 1,
    activity: 'login',
    statusId: 2,
    severityId: failure.reason === 'counter_regression' ? 5 : 2,
    actor: failure.userId ? { kind: 'user', userId: failure.userId } : { kind: 'anonymous' },
    time: deps.now(),
    srcIp: meta.srcIp,
    data: { clientId: meta.clientId, reason: failure.reason, credentialId: failure.credentialId },
  });
}
