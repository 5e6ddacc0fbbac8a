import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runProcess } from '@strongroom/cli/testing/runStrongroom.js';
import { sshCertificateResponseSchema } from '@strongroom/shared/protocol/sshApi.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { bundleWithoutPosture } from './harness/bundleWithoutPosture.js';
import { activeGrantViaCli } from './harness/activeGrantViaCli.js';
import { cliPeople, type CliPeople } from './harness/cliPeople.js';
import { keyMaterialIn } from './harness/keyMaterialIn.js';
import { startSshAgent, type RunningSshAgent } from './harness/sshAgent.js';
import { sshLogin } from './harness/sshClient.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { fetchKrl, startSshd, type RunningSshd } from './harness/startSshd.js';

// Real broker, Chromium keys, CLI, ssh-agent, sshd and ssh on a shared 2-core machine, and a grant
// that must run out by itself (1 minute): generous timeouts, no wall-clock assertions.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

/**
 * Issue 6 item 1 end to end. Two hosts run Debian's sshd trusting the broker's CA: a gpu-a100 host
 * (root accepts principal `ml`, the catalog's sshPrincipals of gpu-a100) and a gpu-prod host (root
 * accepts `oncall` only). Alice (ml-engineers) gets the ml-researcher role approved by Bob
 * (team-leads) with a key touch, runs `strongroom ssh-cert gpu-a100`, and the real `ssh` logs in;
 * it is refused on the other host group, after the grant ran out, and after a dropped grant's
 * certificate reached the hosts' KRL.
 *
 * The bundle is the default one without posture.cedar: this CI machine fails real posture checks
 * (no disk encryption), and posture enforcement on issuance is tested in
 * broker/src/ssh/sshCertificateRoutes.test.ts. Everything else (eligibility, approvals, the `ssh`
 * permit for role members, grants) is the shipped policy.
 */
describe('SSH certificates end to end (real sshd, ssh-agent, ssh, broker, CLI)', () => {
  let work: string;
  let broker: RunningBroker;
  let people: CliPeople;
  let gpuA100: RunningSshd;
  let gpuProd: RunningSshd;
  let agent: RunningSshAgent;
  const started = Date.now();

  const json = <T>(run: { code: number | null; stdout: string; stderr: string }): T => {
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as T;
  };
  const agentKeys = (): string => agent.keys();

  /** The real ssh client, only the agent's identities, host key pinned. Exit 0 = logged in. */
  const ssh = (host: RunningSshd, user = 'root') =>
    sshLogin(host, { dir: work, user, agentSocket: agent.socket });

  const krlFromBroker = (): Promise<Buffer> => fetchKrl(broker.url); // no credentials: what a host's cron does

  /** Alice asks for ml-researcher, Bob approves with a key touch, Alice activates: the grant id. */
  const activeGrant = (duration: string): Promise<string> =>
    activeGrantViaCli(people, {
      requester: 'alice',
      approver: 'bob',
      role: 'ml-researcher',
      duration,
      reason: 'Debug the NCCL hang on the A100 nodes (e2e)',
    });

  type Issued = {
    certificate: string;
    serial: string;
    validBefore: number;
    principals: string[];
    grantId: string;
  };
  const sshCert = (hostGroup: string, extra: string[] = []) =>
    people.run('alice', ['ssh-cert', hostGroup, '--json', ...extra], agent.env);

  /**
   * A broker API call as alice's CLI makes it (her keychain session, DPoP with her device key), for
   * asks the CLI has no command for (certifying a key of our own): the CLI's own cliContext and
   * deviceClient in a child process with her environment. Returns the JSON answer.
   */
  async function apiPostAsAlice(path: string, body: unknown): Promise<unknown> {
    const module = (name: string) =>
      JSON.stringify(new URL(`../../cli/dist/${name}.js`, import.meta.url).href);
    const script = [
      `import { cliContext, noBrowser } from ${module('cliContext')};`,
      `import { deviceClient } from ${module('deviceClient')};`,
      'const { client } = await deviceClient(await cliContext({}, noBrowser));',
      'const response = await client.request("POST", process.env.SR_PATH, JSON.parse(process.env.SR_BODY));',
      'process.stdout.write(JSON.stringify(await response.json()));',
    ].join('\n');
    const run = await runProcess(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...people.person('alice').cli.env, SR_PATH: path, SR_BODY: JSON.stringify(body) },
    });
    return json(run);
  }

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sr-ssh-e2e-'));
    broker = await startBroker({ args: ['--demo', '--policy', bundleWithoutPosture(work)] });
    people = await cliPeople(broker);
    await people.add('alice', ['ml-engineers']);
    await people.add('bob', ['team-leads']);

    const ca = await broker.run(['ssh', 'ca']);
    expect(ca.code, ca.stderr).toBe(0);
    const krl = await krlFromBroker();
    gpuA100 = await startSshd({ caPublicKey: ca.stdout, principals: { root: ['ml'] }, krl });
    gpuProd = await startSshd({ caPublicKey: ca.stdout, principals: { root: ['oncall'] }, krl });

    agent = await startSshAgent(work);
  });

  afterAll(async () => {
    agent?.stop();
    await gpuA100?.stop();
    await gpuProd?.stop();
    await people?.close();
    await broker?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('without a grant: refused with the reason, nothing in the agent; without an agent: a clear error', async () => {
    const refused = await sshCert('gpu-a100');
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/no active grant covers HostGroup "gpu-a100"/);
    expect(agentKeys()).not.toContain('cert');
    expect((await ssh(gpuA100)).code).toBe(255);

    const noAgent = await people.run('alice', ['ssh-cert', 'gpu-a100'], { SSH_AUTH_SOCK: '' });
    expect(noAgent.code).toBe(2);
    expect(noAgent.stderr).toMatch(/No ssh-agent is running/);
  });

  it('within a grant ssh logs in with no key on disk; another host group refuses; after the grant ran out, refused', async () => {
    const grantId = await activeGrant('1m');
    const issued = json<Issued>(await sshCert('gpu-a100'));
    expect(issued).toMatchObject({ principals: ['ml'], grantId });
    const blob = issued.certificate.split(' ')[1] ?? '?';
    expect(agentKeys()).toContain(`ssh-ed25519-cert-v01@openssh.com ${blob}`);

    const login = await ssh(gpuA100);
    expect(login.code, `${login.stderr}\n${gpuA100.output()}`).toBe(0);
    expect(gpuA100.output()).toContain(`serial ${issued.serial}`);

    // A gpu-prod host wants principal `oncall`; the certificate names `ml` only.
    const other = await ssh(gpuProd);
    expect(other.code).toBe(255);
    expect(other.stderr).toMatch(/Permission denied/);
    const notGranted = await sshCert('gpu-prod');
    expect(notGranted.code).toBe(4);
    expect(notGranted.stderr).toMatch(/no active grant covers HostGroup "gpu-prod"/);

    // No private key anywhere the CLI could write: its HOME, XDG dirs and TMPDIR, and the cwd.
    expect(keyMaterialIn([people.person('alice').cli.root, process.cwd()], blob, started)).toEqual([]);

    // The grant runs out by itself; the certificate ended with it and the agent forgot it.
    const grant = json<{ grants: Array<{ id: string; expiresAt: number }> }>(
      await people.run('alice', ['grants', '--json']),
    ).grants.find((g) => g.id === grantId);
    expect(issued.validBefore * 1000).toBeLessThanOrEqual(grant?.expiresAt ?? 0);
    while (agentKeys().includes(blob)) await new Promise((resolve) => setTimeout(resolve, 2_000));
    const after = await ssh(gpuA100);
    expect(after.code).toBe(255);
    expect(after.stderr).toMatch(/Permission denied/);
    // The agent drops the certificate at its validBefore (whole seconds, up to a second before the
    // grant's end); ask the broker again only once the grant has ended.
    while (Date.now() <= (grant?.expiresAt ?? 0)) await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await sshCert('gpu-a100', ['--grant', grantId])).stderr).toMatch(/is not active/);
  });

  it('after the grant was dropped, the KRL the hosts fetch refuses the certificate still in the agent', async () => {
    const grantId = await activeGrant('10m');
    const issued = json<Issued>(await sshCert('gpu-a100', ['--ttl', '5m']));
    expect(issued.validBefore - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(300);
    expect((await ssh(gpuA100)).code).toBe(0);

    // Dropped from a shell without the agent (another terminal, another machine): the certificate
    // stays in the agent, and only the hosts' KRL can stop it.
    json(await people.run('alice', ['drop', grantId, '--json'], { SSH_AUTH_SOCK: '' }));
    const krl = await krlFromBroker();
    gpuA100.setKrl(krl);
    const blob = issued.certificate.split(' ')[1] ?? '?';
    expect(agentKeys()).toContain(blob); // the agent still offers it: sshd refuses it by the KRL
    const refused = await ssh(gpuA100);
    expect(refused.code).toBe(255);
    expect(gpuA100.output()).toMatch(/revoked/i);

    // The broker CLI writes the same list for hosts provisioned by file.
    const file = join(work, 'cli.krl');
    expect((await broker.run(['ssh', 'krl', '--out', file])).code).toBe(0);
    const certFile = join(work, 'dropped-cert.pub');
    writeFileSync(certFile, `${issued.certificate}\n`);
    const query = spawnSync('ssh-keygen', ['-Q', '-f', file, certFile], { encoding: 'utf8' });
    expect(query.status, query.stdout + query.stderr).toBe(1);
    expect(query.stdout).toContain('REVOKED');

    // Issued and revoked, both in the tamper-evident audit log.
    const exported = join(work, 'audit.jsonl');
    expect((await broker.run(['audit', 'export', '--out', exported])).code).toBe(0);
    const lines = readFileSync(exported, 'utf8').split('\n');
    expect(lines.some((l) => l.includes('"credential.issue"') && l.includes(issued.serial))).toBe(true);
    expect(lines.some((l) => l.includes('"credential.revoke"') && l.includes(`ssh:${issued.serial}`))).toBe(
      true,
    );
    expect((await broker.run(['audit', 'verify', exported])).code).toBe(0);
  });

  it("strongroom drop takes the grant's certificate out of the agent at once", async () => {
    const grantId = await activeGrant('10m');
    const issued = json<Issued>(await sshCert('gpu-a100'));
    const blob = issued.certificate.split(' ')[1] ?? '?';
    expect(agentKeys()).toContain(blob);
    expect((await ssh(gpuA100)).code).toBe(0);
    json(await people.run('alice', ['drop', grantId, '--json'], agent.env));
    expect(agentKeys()).not.toContain(blob);
    expect((await ssh(gpuA100)).code).toBe(255);
  });

  it('sshd itself refuses an expired certificate (no agent involved): "Certificate invalid: expired"', async () => {
    const grantId = await activeGrant('10m');
    // A key pair made by ssh-keygen, on disk on purpose: nothing here forgets it when the
    // certificate expires, so only sshd's own validity check can refuse the login.
    const key = join(work, 'expiring_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'expiry-e2e', '-f', key]);
    const publicKey = readFileSync(`${key}.pub`, 'utf8').trim();
    const certify = async (ttlSeconds: number) =>
      sshCertificateResponseSchema.parse(
        await apiPostAsAlice('/api/v1/credentials/ssh', {
          publicKey,
          hostGroup: 'gpu-a100',
          grantId,
          ttlSeconds,
        }),
      );
    // The shortest lifetime the API takes (sshCertificateRequestSchema: 10 s), and a 5-minute one
    // for the same key as the control: same key, same command, same host, only validBefore differs.
    const short = await certify(10);
    expect(short.validBefore - Math.floor(Date.now() / 1000)).toBeLessThanOrEqual(10);
    const control = await certify(300);
    const shortCert = join(work, 'short-cert.pub');
    const controlCert = join(work, 'control-cert.pub');
    writeFileSync(shortCert, `${short.certificate}\n`);
    writeFileSync(controlCert, `${control.certificate}\n`);
    const withCert = (certificateFile: string) =>
      sshLogin(gpuA100, { dir: work, identityFile: key, certificateFile });

    const ok = await withCert(controlCert);
    expect(ok.code, `${ok.stderr}\n${gpuA100.output()}`).toBe(0);

    // Past validBefore (OpenSSH compares whole seconds: wait until the clock is beyond it).
    while (Date.now() / 1000 <= short.validBefore + 1)
      await new Promise((resolve) => setTimeout(resolve, 250));
    const logBefore = gpuA100.output().length;
    const refused = await withCert(shortCert);
    expect(refused.code).toBe(255);
    expect(refused.stderr).toMatch(/Permission denied \(publickey\)/);
    const log = gpuA100.output().slice(logBefore);
    // OpenSSH 9.2 (auth2-pubkey.c, user_cert_trusted_ca): the reason from sshkey_cert_check_authority.
    expect(log).toContain('Certificate invalid: expired');
    expect(log).toContain(`(serial ${short.serial})`);
    expect(log).not.toMatch(/Accepted publickey/);
    // Not the KRL: the short certificate was never revoked.
    const list = join(work, 'expiry.krl');
    writeFileSync(list, await krlFromBroker());
    const query = spawnSync('ssh-keygen', ['-Q', '-f', list, shortCert], { encoding: 'utf8' });
    expect(query.status, query.stdout + query.stderr).toBe(0);
    json(await people.run('alice', ['drop', grantId, '--json'], { SSH_AUTH_SOCK: '' }));
  });
});
