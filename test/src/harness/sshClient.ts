import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningSshd } from './startSshd.js';

export interface SshLoginOptions {
  /** A directory for the pinned known_hosts file. */
  dir: string;
  /** The local account to log in as (default root). */
  user?: string;
  /** Identities from this ssh-agent only (IdentityFile=/dev/null): the "no key on disk" case. */
  agentSocket?: string;
  /** Or a key file and its certificate, no agent (IdentitiesOnly). */
  identityFile?: string;
  certificateFile?: string;
}

/**
 * The real ssh client (`ssh -F /dev/null … true`) against a test sshd on 127.0.0.1: batch mode,
 * public-key authentication only, the host key pinned. Exit 0 = logged in; 255 = refused.
 */
export async function sshLogin(
  host: RunningSshd,
  options: SshLoginOptions,
): Promise<{ code: number | null; stderr: string }> {
  const knownHosts = join(options.dir, `known_hosts_${host.port}`);
  writeFileSync(knownHosts, `${host.knownHostsLine}\n`);
  const identities =
    options.agentSocket !== undefined
      ? ['-o', `IdentityAgent=${options.agentSocket}`, '-o', 'IdentityFile=/dev/null']
      : [
          '-o',
          'IdentityAgent=none',
          '-o',
          'IdentitiesOnly=yes',
          '-i',
          options.identityFile ?? '/dev/null',
          ...(options.certificateFile === undefined
            ? []
            : ['-o', `CertificateFile=${options.certificateFile}`]),
        ];
  const child = spawn(
    'ssh',
    [
      '-F',
      '/dev/null',
      '-p',
      String(host.port),
      '-o',
      'BatchMode=yes',
      ...identities,
      '-o',
      `UserKnownHostsFile=${knownHosts}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'PreferredAuthentications=publickey',
      `${options.user ?? 'root'}@127.0.0.1`,
      'true',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { code, stderr };
}
