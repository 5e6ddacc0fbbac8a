import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrongroomError } from '../../errors/StrongroomError.js';
import { addCertificateToSshAgent } from './addCertificateToSshAgent.js';
import { ephemeralSshKey, type EphemeralSshKey } from './ephemeralSshKey.js';
import { removeGrantCertificatesFromSshAgent } from './removeGrantCertificatesFromSshAgent.js';
import { signWithTestCa } from './signWithTestCa.test-support.js';

// The real OpenSSH ssh-agent; certificates made by the real ssh-keygen acting as a CA.
let dir: string;
let agent: ChildProcess;
let socketPath: string;

const certify = (key: EphemeralSshKey, name: string, keyId = `id-${name}`): string =>
  signWithTestCa(dir, name, key.publicKeyLine, { keyId, principals: ['someone'], validity: '-1m:+10m' });

const listed = (): string =>
  spawnSync('ssh-add', ['-L'], { env: { SSH_AUTH_SOCK: socketPath }, encoding: 'utf8' }).stdout;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sr-agent-'));
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, 'ca')]);
  socketPath = join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', socketPath], { stdio: 'ignore' });
  while (!existsSync(socketPath)) await new Promise((r) => setTimeout(r, 50));
});
afterAll(() => {
  agent.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('addCertificateToSshAgent (real ssh-agent)', () => {
  it('adds the in-memory key with its certificate; the agent forgets it after the lifetime', async () => {
    const key = ephemeralSshKey('test');
    const certificate = certify(key, 'k1');
    await addCertificateToSshAgent({
      socketPath,
      key,
      certificate,
      comment: 'strongroom-test',
      lifetimeSeconds: 2,
    });
    const blob = certificate.split(' ')[1] ?? '?';
    expect(listed()).toContain(`ssh-ed25519-cert-v01@openssh.com ${blob} strongroom-test`);
    // The agent can sign with it: it holds the private key that matches the certificate.
    const sign = spawnSync('ssh-keygen', ['-Y', 'sign', '-n', 'file', '-f', join(dir, 'k1-cert.pub'), '-U'], {
      input: 'hello',
      env: { SSH_AUTH_SOCK: socketPath },
      encoding: 'utf8',
    });
    expect(sign.stdout).toContain('BEGIN SSH SIGNATURE');
    while (listed().includes(blob)) await new Promise((r) => setTimeout(r, 250));
    expect(listed()).not.toContain(blob);
  });

  it('refuses a certificate for another key, and never sends the key', async () => {
    const key = ephemeralSshKey('mine');
    const other = certify(ephemeralSshKey('theirs'), 'k2');
    await expect(
      addCertificateToSshAgent({ socketPath, key, certificate: other, comment: 'x', lifetimeSeconds: 60 }),
    ).rejects.toThrow(/not for the key this command made/);
    await expect(
      addCertificateToSshAgent({
        socketPath,
        key,
        certificate: key.publicKeyLine,
        comment: 'x',
        lifetimeSeconds: 60,
      }),
    ).rejects.toThrow(/not an Ed25519 certificate/);
    expect(listed()).not.toContain('ssh-ed25519-cert');
  });

  it('says clearly when no agent runs', async () => {
    const key = ephemeralSshKey('none');
    const certificate = certify(key, 'k3');
    const unset = addCertificateToSshAgent({
      socketPath: undefined,
      key,
      certificate,
      comment: 'x',
      lifetimeSeconds: 60,
    });
    await expect(unset).rejects.toThrow(/No ssh-agent is running/);
    const gone = addCertificateToSshAgent({
      socketPath: join(dir, 'nope.sock'),
      key,
      certificate,
      comment: 'x',
      lifetimeSeconds: 60,
    });
    await expect(gone).rejects.toBeInstanceOf(StrongroomError);
    await expect(gone).rejects.toThrow(/Could not talk to ssh-agent/);
  });

  it("removes a grant's certificates from the agent, and only those", async () => {
    const add = async (name: string, grant: string) => {
      const key = ephemeralSshKey(name);
      const certificate = certify(key, name, `strongroom:user=a@example.test:device=d1:grant=${grant}`);
      await addCertificateToSshAgent({ socketPath, key, certificate, comment: name, lifetimeSeconds: 60 });
      return certificate.split(' ')[1] ?? '?';
    };
    const dropped = await add('g1', 'grant-1');
    const kept = await add('g2', 'grant-12');
    expect(await removeGrantCertificatesFromSshAgent(socketPath, 'grant-1')).toBe(1);
    expect(listed()).not.toContain(dropped);
    expect(listed()).toContain(kept);
    expect(await removeGrantCertificatesFromSshAgent(socketPath, 'grant-1')).toBe(0);
  });

  it('wipes the seed on dispose', () => {
    const key = ephemeralSshKey('wipe');
    key.dispose();
    expect(key.seed.every((b) => b === 0)).toBe(true);
  });
});
