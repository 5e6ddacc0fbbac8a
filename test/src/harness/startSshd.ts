import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './startBroker.js';

export interface SshdOptions {
  /** The CA line for `TrustedUserCAKeys` (`strongroom-broker ssh ca`). */
  caPublicKey: string;
  /** Local account → the principals its `AuthorizedPrincipalsFile` lists. */
  principals: Record<string, string[]>;
  /** The first `RevokedKeys` file (sshd refuses every key while it is missing). */
  krl: Buffer;
}

export interface RunningSshd {
  port: number;
  /** `[127.0.0.1]:port ssh-ed25519 …` for a known_hosts file. */
  knownHostsLine: string;
  /** Replaces the KRL, as a host's cron job would after fetching it; sshd reads it per login. */
  setKrl(krl: Buffer): void;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Debian's OpenSSH server (/usr/sbin/sshd; as root in the tests) on 127.0.0.1 and a free port, in the
 * foreground, with its own host key and a config that trusts only user certificates of the given
 * CA: no authorized_keys, no passwords, principals per account, a KRL. StrictModes is off because
 * the files live under /tmp (world-writable parents), which it would refuse.
 */
export async function startSshd(options: SshdOptions): Promise<RunningSshd> {
  const dir = mkdtempSync(join(tmpdir(), 'sr-sshd-'));
  const port = await freePort();
  // sshd as root needs its privilege separation directory; as another user it runs without one
  // (and can then log in only that user).
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true });
  const hostKey = join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  writeFileSync(join(dir, 'ca.pub'), `${options.caPublicKey.trim()}\n`);
  mkdirSync(join(dir, 'principals'));
  for (const [user, names] of Object.entries(options.principals))
    writeFileSync(join(dir, 'principals', user), `${names.join('\n')}\n`);
  const krlFile = join(dir, 'revoked.krl');
  writeFileSync(krlFile, options.krl);
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `ListenAddress 127.0.0.1:${port}`,
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `TrustedUserCAKeys ${join(dir, 'ca.pub')}`,
      `AuthorizedPrincipalsFile ${join(dir, 'principals')}/%u`,
      `RevokedKeys ${krlFile}`,
      'AuthorizedKeysFile none',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'UsePAM no',
      'StrictModes no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes(`Server listening on 127.0.0.1 port ${port}`)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`sshd exited (${code}):\n${output}`)));
  });
  const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
  return {
    port,
    knownHostsLine: `[127.0.0.1]:${port} ${hostPub}`,
    setKrl: (krl) => {
      writeFileSync(`${krlFile}.new`, krl);
      renameSync(`${krlFile}.new`, krlFile); // never a half-written list
    },
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The broker's KRL as a host's cron job fetches it: `GET /api/v1/ssh/krl`, no credentials. */
export async function fetchKrl(brokerUrl: string): Promise<Buffer> {
  const res = await fetch(`${brokerUrl}/api/v1/ssh/krl`);
  if (res.status !== 200) throw new Error(`GET /api/v1/ssh/krl answered ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
