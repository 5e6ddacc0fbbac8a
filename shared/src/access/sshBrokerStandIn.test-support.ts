import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { SshCertificateRequest, SshCertificateResponse } from '../protocol/sshApi.js';
import { signWithTestCa } from '../credentials/ssh/signWithTestCa.test-support.js';

/**
 * The broker's `POST /api/v1/credentials/ssh` for unit tests of SSH in terminals: the real
 * ssh-keygen signs as the CA, with the broker's key id form and the catalog's principals per host
 * group (`gpu-a100` → `ml`, `gpu-prod` → `oncall`), answering in the wire shape (sshApi.ts); any
 * other host group is refused like the broker refuses one no grant covers. The real broker's
 * issuance is tested in broker/ and test/src/sshCertificates.test.ts.
 */
export interface SshBrokerStandIn {
  readonly issued: SshCertificateRequest[];
  issue(request: SshCertificateRequest): Promise<SshCertificateResponse>;
  close(): void;
}

export const STAND_IN_PRINCIPALS: Readonly<Record<string, readonly string[]>> = {
  'gpu-a100': ['ml'],
  'gpu-prod': ['oncall'],
};

export function sshBrokerStandIn(validSeconds = 600): SshBrokerStandIn {
  const dir = mkdtempSync(join(tmpdir(), 'sr-ssh-ca-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ca')]);
  const issued: SshCertificateRequest[] = [];
  return {
    issued,
    issue: async (request) => {
      issued.push(request);
      const principals = STAND_IN_PRINCIPALS[request.hostGroup];
      if (principals === undefined)
        throw new StrongroomError('denied', `no active grant covers HostGroup "${request.hostGroup}"`);
      const n = issued.length;
      const keyId = `strongroom:user=alice@example.test:device=d1:grant=${request.grantId ?? '?'}`;
      const serial = String(1000 + n);
      const certificate = signWithTestCa(dir, `k${n}`, request.publicKey, {
        keyId,
        principals,
        serial,
        validity: `-1m:+${Math.ceil(validSeconds / 60)}m`,
      });
      const now = Math.floor(Date.now() / 1000);
      return {
        certificate: certificate.trim(),
        principals: [...principals],
        validAfter: now - 60,
        validBefore: now + validSeconds,
        serial,
        keyId,
        grantId: request.grantId ?? '',
      };
    },
    close: () => rmSync(dir, { recursive: true, force: true }),
  };
}
