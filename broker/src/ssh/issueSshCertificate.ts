import { randomBytes } from 'node:crypto';
import type { SshCertificateRequest, SshCertificateResponse } from '@strongroom/shared/protocol/sshApi.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { auditIssuanceRefusal } from '../credentials/auditIssuanceRefusal.js';
import { authorizeIssuance } from '../credentials/authorizeIssuance.js';
import { recordIssuanceInTx } from '../credentials/recordIssuanceInTx.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { JitDeps } from '../jit/JitDeps.js';
import type { SshCa } from './loadSshCa.js';
import { parseSshPublicKey } from './parseSshPublicKey.js';
import { signSshUserCertificate } from './signSshUserCertificate.js';
import { sshPrincipalsFor } from './sshPrincipalsFor.js';

export interface SshCertificateDeps {
  jit: Pick<JitDeps, 'store' | 'policy' | 'devices' | 'now' | 'options'>;
  ca: SshCa;
}

/** Certificates start this far in the past so a host whose clock runs a little behind accepts them. */
export const SSH_CLOCK_SKEW_SECONDS = 60;
/** Default extensions: a terminal, nothing more (no agent, port or X11 forwarding, no user rc). */
export const SSH_DEFAULT_EXTENSIONS = ['permit-pty'] as const;
const ATTEMPTS = 3;

/** A random serial in 1 … 2^64-1 (0 cannot be revoked by a KRL). */
function randomSerial(): bigint {
  for (;;) {
    const serial = randomBytes(8).readBigUInt64BE();
    if (serial !== 0n) return serial;
  }
}

/**
 * `POST /api/v1/credentials/ssh`: certifies the caller's public key for a host group. The caller
 * needs an active grant covering the host group and an `allow` for Cedar `ssh` on it with the full
 * context (authorizeIssuance); the certificate names the host group's principals, is valid from a
 * minute ago (clock skew) until min(requested, the grant's end, one hour), carries a key id naming
 * user, device and grant and a random 64-bit serial, and permits a pty only. Issuance is recorded
 * in the credential ledger (`ssh:<serial>`, which ending the grant revokes into the KRL) with its
 * audit record in one transaction. Refusals say why and are audited: 400 for a bad key, 403 else.
 */
export async function issueSshCertificate(
  deps: SshCertificateDeps,
  caller: ApiCaller,
  request: SshCertificateRequest,
): Promise<SshCertificateResponse> {
  const { store } = deps.jit;
  const key = parseSshPublicKey(request.publicKey);
  const keyFacts = key.ok
    ? { keyType: key.type, keyFingerprint: key.fingerprint }
    : key.type === undefined
      ? {}
      : { keyType: key.type };
  try {
    if (!key.ok) throw new BrokerError('invalid_request', key.reason);
    const decision = await authorizeIssuance(deps.jit, caller, {
      target: { type: 'HostGroup', id: request.hostGroup },
      action: 'ssh',
      ...(request.grantId === undefined ? {} : { grantId: request.grantId }),
      ...(request.ttlSeconds === undefined ? {} : { requestedSeconds: request.ttlSeconds }),
    });
    const { grant, deviceId, issuedAt } = decision;
    const principals = sshPrincipalsFor(decision.asset);
    const nowSeconds = Math.floor(issuedAt / 1000);
    // Never past the grant: round the end down to OpenSSH's whole seconds.
    const validBefore = Math.floor(decision.expiresAt / 1000);
    if (validBefore <= nowSeconds)
      throw new BrokerError('grant_ended', `grant ${grant.id} ends in less than a second`);
    const validAfter = nowSeconds - SSH_CLOCK_SKEW_SECONDS;
    const keyId = `strongroom:user=${caller.user.email}:device=${deviceId}:grant=${grant.id}`;
    for (let attempt = 1; ; attempt++) {
      const serial = randomSerial();
      const certificate = signSshUserCertificate(deps.ca, {
        subjectKey: key.key,
        principals,
        keyId,
        serial,
        validAfter,
        validBefore,
        extensions: SSH_DEFAULT_EXTENSIONS,
      });
      const id = `ssh:${serial}`;
      try {
        await store.transaction(async (tx) => {
          await recordIssuanceInTx(
            tx,
            caller,
            decision,
            deps.jit.now(),
            {
              id,
              kind: 'ssh-certificate',
              userId: caller.user.id,
              deviceId,
              grantId: grant.id,
              audience: request.hostGroup,
              serial: serial.toString(),
              issuedAt,
              expiresAt: validBefore * 1000,
            },
            {
              serial: serial.toString(),
              keyId,
              principals,
              hostGroup: request.hostGroup,
              grantId: grant.id,
              deviceId,
              ...keyFacts,
              validAfter,
              validBefore,
              extensions: [...SSH_DEFAULT_EXTENSIONS],
              bundleHash: decision.bundleHash,
            },
          );
        });
      } catch (error) {
        // A repeated 64-bit serial is astronomically unlikely; if it happens, draw again.
        if (error instanceof BrokerError && error.code === 'conflict' && attempt < ATTEMPTS) continue;
        throw error;
      }
      return {
        certificate,
        principals,
        validAfter,
        validBefore,
        serial: serial.toString(),
        keyId,
        grantId: grant.id,
      };
    }
  } catch (error) {
    return auditIssuanceRefusal(
      deps.jit,
      caller,
      'ssh-certificate',
      {
        hostGroup: request.hostGroup,
        ...(request.grantId === undefined ? {} : { grantId: request.grantId }),
        ...keyFacts,
      },
      error,
    );
  }
}
