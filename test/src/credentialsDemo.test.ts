import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StsStandIn } from '@strongroom/shared/credentials/aws/fixtures/StsStandIn.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { activeGrantViaCli } from './harness/activeGrantViaCli.js';
import { awscli, credentialProcessConfig, DEMO_CHECKPOINTS_ROLE_ARN } from './harness/awscli.js';
import { bundleWithoutPosture } from './harness/bundleWithoutPosture.js';
import { cliPeople, type CliPeople } from './harness/cliPeople.js';
import { keyMaterialIn } from './harness/keyMaterialIn.js';
import { startSshAgent, type RunningSshAgent } from './harness/sshAgent.js';
import { sshLogin } from './harness/sshClient.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { fetchKrl, startSshd, type RunningSshd } from './harness/startSshd.js';
import {
  cloneWithStrongroomHelper,
  SEEDED_TOKENIZER,
  startTokenGitServer,
  type TokenGitServer,
} from './harness/tokenGitServer.js';

// Real broker, Chromium keys, CLI, ssh-agent, sshd, ssh, awscli and git on a shared 2-core machine:
// generous timeouts, no wall-clock assertions.
vi.setConfig({ testTimeout: 300_000, hookTimeout: 240_000 });

/** The demo role that covers all three: HostGroup gpu-a100, the checkpoints bucket's IAM role, Service ml-git. */
const ROLE = 'ml-researcher';
const DEMO = fileURLToPath(new URL('../../scripts/demo-credentials.mjs', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface AuditLine {
  type: string;
  record?: { activity: string; statusId: number; seq: number; data?: Record<string, unknown> };
}

/**
 * Issue 6 "Done when", as one story under ONE grant: Alice (ml-engineers) asks for ml-researcher,
 * Bob (team-leads) approves with a key touch, Alice activates. Then, with nothing but the grant:
 *
 * - `strongroom ssh-cert gpu-a100` + the real `ssh` log in to Debian's sshd (trusting the broker's
 *   CA, principal `ml`), with no private key on disk;
 * - `aws configure export-credentials` through a `credential_process = strongroom
 *   credential-process` profile shows temporary credentials (from an STS stand-in that verifies
 *   the broker's web-identity token) expiring no later than the grant, and within an hour;
 * - `git clone` over HTTP from `git http-backend` behind the shared token verifier works through
 *   `strongroom git-credential`.
 *
 * Alice drops the grant from another shell (without the ssh-agent, so the certificate stays in the
 * agent and only sshd's KRL can stop it). The host refreshes its KRL as its cron job would; then
 * ssh is refused by sshd as revoked, awscli gets nothing, and the clone is refused. The audit log
 * holds a credential.issue for each and one credential.revoke naming every one of them, and the
 * exported log verifies. The bundle is the default one without posture.cedar (this CI machine
 * fails disk encryption; see bundleWithoutPosture).
 */
describe('issue 6 done-when: one grant gives ssh, AWS and git; ending it stops all three', () => {
  let work: string;
  let broker: RunningBroker;
  let people: CliPeople;
  let host: RunningSshd;
  let agent: RunningSshAgent;
  let sts: StsStandIn;
  let gitHost: TokenGitServer;
  let awsConfig: Record<string, string>;
  const started = Date.now();

  const json = <T>(run: Run): T => {
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as T;
  };
  const alice = (args: readonly string[], env: NodeJS.ProcessEnv = {}) => people.run('alice', args, env);
  const ssh = () => sshLogin(host, { dir: work, agentSocket: agent.socket });
  const exportCredentials = () =>
    awscli(['configure', 'export-credentials', '--format', 'process', '--profile', 'sr'], {
      ...people.person('alice').cli.env,
      ...awsConfig,
    });
  const clone = (name: string) =>
    cloneWithStrongroomHelper(gitHost.repoUrl, join(work, name), people.person('alice').cli.env);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'sr-creds-demo-'));
    broker = await startBroker({ args: ['--demo', '--policy', bundleWithoutPosture(work)] });
    people = await cliPeople(broker);
    await people.add('alice', ['ml-engineers']);
    await people.add('bob', ['team-leads']);

    // A GPU host: sshd trusting the broker's CA (root accepts principal `ml`) and its KRL.
    const ca = await broker.run(['ssh', 'ca']);
    expect(ca.code, ca.stderr).toBe(0);
    host = await startSshd({
      caPublicKey: ca.stdout,
      principals: { root: ['ml'] },
      krl: await fetchKrl(broker.url),
    });
    agent = await startSshAgent(work);

    // AWS at the edge: STS that trusts the broker as an OIDC provider for the checkpoints role.
    sts = await new StsStandIn({ issuer: broker.issuer, roles: [DEMO_CHECKPOINTS_ROLE_ARN] }).start();
    expect((await alice(['config', 'set-aws', '--sts-endpoint', sts.url])).code).toBe(0);
    mkdirSync(join(work, 'aws'));
    awsConfig = credentialProcessConfig(join(work, 'aws'), ROLE);

    // The ml-git host, taking only broker tokens for its audience.
    gitHost = await startTokenGitServer({ issuer: broker.issuer, dir: join(work, 'git') });
    expect((await alice(['config', 'git-host', gitHost.git.host, 'ml-git'])).code).toBe(0);
  });

  afterAll(async () => {
    agent?.stop();
    await host?.stop();
    await gitHost?.close();
    await sts?.stop();
    await people?.close();
    await broker?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ssh with no key on disk, awscli with temporary keys expiring with the grant, git clone; none of it after the grant ends', async () => {
    // Before the grant: none of the three.
    expect((await alice(['ssh-cert', 'gpu-a100'], agent.env)).code).toBe(4);
    expect((await exportCredentials()).code).not.toBe(0);
    expect((await clone('before')).code).not.toBe(0);
    expect(sts.issued).toEqual([]);

    // One grant. AWS needs more than its 15-minute floor left, so 30 minutes.
    const grantId = await activeGrantViaCli(people, {
      requester: 'alice',
      approver: 'bob',
      role: ROLE,
      duration: '30m',
      reason: 'Resume the A100 fine-tune from its checkpoint (credentials demo e2e)',
    });
    const grant = json<{ grants: Array<{ id: string; expiresAt: number }> }>(
      await alice(['grants', '--json']),
    ).grants.find((g) => g.id === grantId);
    const grantEnd = grant?.expiresAt ?? 0;
    expect(grantEnd).toBeGreaterThan(Date.now());

    // 1. SSH: an in-memory key certified for gpu-a100, held by the agent only; the real ssh logs in.
    const issued = json<{ certificate: string; serial: string; validBefore: number; grantId: string }>(
      await alice(['ssh-cert', 'gpu-a100', '--json'], agent.env),
    );
    expect(issued.grantId).toBe(grantId);
    expect(issued.validBefore * 1000).toBeLessThanOrEqual(grantEnd);
    const blob = issued.certificate.split(' ')[1] ?? '?';
    expect(agent.keys()).toContain(blob);
    const login = await ssh();
    expect(login.code, `${login.stderr}\n${host.output()}`).toBe(0);
    expect(host.output()).toMatch(new RegExp(`Accepted publickey for root .*serial ${issued.serial}\\)`));
    expect(keyMaterialIn([people.person('alice').cli.root, process.cwd(), work], blob, started)).toEqual([]);

    // 2. AWS: awscli runs the credential_process helper; temporary keys from STS, ending with the grant.
    const askedAt = Date.now();
    const exported = json<Record<string, unknown>>(await exportCredentials());
    expect(sts.issued).toHaveLength(1);
    const stsKeys = sts.issued[0];
    expect(exported).toMatchObject({
      Version: 1,
      AccessKeyId: stsKeys?.accessKeyId,
      SessionToken: stsKeys?.sessionToken,
    });
    expect(String(exported['AccessKeyId'])).toMatch(/^ASIA/); // temporary (STS) keys, not an IAM user's
    const expiration = Date.parse(String(exported['Expiration']));
    expect(expiration).toBeGreaterThan(Date.now());
    expect(expiration).toBeLessThanOrEqual(grantEnd);
    expect(expiration).toBeLessThanOrEqual(askedAt + 3600_000);
    expect(stsKeys?.claims).toMatchObject({ iss: broker.issuer, grant_id: grantId });

    // 3. git: a clone with only the Strongroom helper configured.
    const cloned = await clone('granted');
    expect(cloned.code, cloned.stderr).toBe(0);
    expect(readFileSync(join(work, 'granted', 'tokenizer.json'), 'utf8')).toBe(SEEDED_TOKENIZER);
    expect(gitHost.accepted.length).toBeGreaterThan(0);
    expect(gitHost.accepted.every((a) => a.grants.includes(grantId))).toBe(true);

    // The grant ends: dropped from a shell without the ssh-agent (another terminal), so the
    // certificate stays in the agent and sshd has only its KRL to go by.
    json(await alice(['drop', grantId, '--json'], { SSH_AUTH_SOCK: '' }));
    expect(agent.keys()).toContain(blob);
    host.setKrl(await fetchKrl(broker.url)); // the host's cron job
    const logBefore = host.output().length;
    const sshAfter = await ssh();
    expect(sshAfter.code).toBe(255);
    expect(sshAfter.stderr).toMatch(/Permission denied/);
    expect(host.output().slice(logBefore)).toMatch(/ED25519-CERT SHA256:\S+ revoked by file/);

    const awsAfter = await exportCredentials();
    expect(awsAfter.code).not.toBe(0);
    expect(awsAfter.stdout).not.toContain('ASIA');
    expect(awsAfter.stderr).toMatch(/grant/);
    expect(sts.issued).toHaveLength(1); // nothing new from STS either

    const decisionsBefore = gitHost.git.decisions.length;
    const gitAfter = await clone('after');
    expect(gitAfter.code).not.toBe(0);
    expect(existsSync(join(work, 'after', 'tokenizer.json'))).toBe(false);
    expect(gitHost.git.decisions.slice(decisionsBefore).some((d) => d.ok)).toBe(false);

    // The audit log: an issue for each credential under the grant, one revocation naming them all.
    const exportedAudit = join(work, 'audit.jsonl');
    expect((await broker.run(['audit', 'export', '--out', exportedAudit])).code).toBe(0);
    const records = readFileSync(exportedAudit, 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as AuditLine)
      .flatMap((l) => (l.type === 'record' && l.record ? [l.record] : []));
    const issues = records.filter(
      (r) => r.activity === 'credential.issue' && r.statusId === 1 && r.data?.['grantId'] === grantId,
    );
    expect(new Set(issues.map((r) => r.data?.['kind']))).toEqual(
      new Set(['ssh-certificate', 'aws-web-identity', 'git-token']),
    );
    expect(issues.some((r) => r.data?.['credentialId'] === `ssh:${issued.serial}`)).toBe(true);
    const revokes = records.filter(
      (r) => r.activity === 'credential.revoke' && r.data?.['grantId'] === grantId,
    );
    expect(revokes).toHaveLength(1);
    const revoke = revokes[0];
    expect(revoke?.data?.['reason']).toBe('grant_dropped');
    const revokedIds = (revoke?.data?.['credentials'] as Array<{ id: string }>).map((c) => c.id);
    expect(revokedIds.sort()).toEqual(issues.map((r) => r.data?.['credentialId']).sort());
    expect(issues.every((r) => r.seq < (revoke?.seq ?? 0))).toBe(true);
    const verified = await broker.run(['audit', 'verify', exportedAudit]);
    expect(verified.code, verified.stderr).toBe(0);
  });

  it('npm run demo:credentials tells the same story against a running broker and a signed-in CLI', async () => {
    const grantId = await activeGrantViaCli(people, {
      requester: 'alice',
      approver: 'bob',
      role: ROLE,
      duration: '30m',
      reason: 'Show the team the credentials demo (e2e)',
    });
    const env: NodeJS.ProcessEnv = { ...people.person('alice').cli.env, STRONGROOM_DATA_DIR: broker.dataDir };
    delete env['SSH_AUTH_SOCK']; // the demo starts its own ssh-agent
    const demo = spawn(process.execPath, [DEMO], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    demo.stdout.on('data', (d: Buffer) => (out += d.toString()));
    demo.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => demo.once('close', resolve));
    expect(code, out).toBe(0);
    expect(out).not.toMatch(/^FAIL/m);
    expect(out).toMatch(/^ok {3}ssh root@127\.0\.0\.1:\d+ \(gpu-a100 stand-in\) logged in/m);
    expect(out).toMatch(/^ok {3}aws configure export-credentials: temporary key ASIA/m);
    expect(out).toMatch(/^ok {3}git clone http:\/\/127\.0\.0\.1:\d+\/models\.git$/m);
    expect(out).toMatch(new RegExp(`^ok {3}strongroom drop ${grantId}$`, 'm'));
    expect(out).toMatch(/^ok {3}ssh refused by sshd: .*revoked by file/m);
    expect(out).toMatch(/^ok {3}aws configure export-credentials refused/m);
    expect(out).toMatch(/^ok {3}git clone refused/m);
    expect(out).toMatch(
      /^ok {3}audit: credential\.issue for aws-web-identity, git-token, ssh-certificate; one credential\.revoke naming all \d+$/m,
    );
    expect(out).toMatch(/^ok {3}strongroom-broker audit verify/m);
    const grants = JSON.parse((await alice(['grants', '--json'])).stdout) as {
      grants: Array<{ id: string; state: string; endReason: string | null }>;
    };
    expect(grants.grants.find((g) => g.id === grantId)).toMatchObject({
      state: 'ended',
      endReason: 'dropped',
    });
  });
});
