import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { StsStandIn } from '@strongroom/shared/credentials/aws/fixtures/StsStandIn.js';
import { cacheAwsCredentials } from '@strongroom/shared/credentials/aws/awsCredentialCache.js';
import { SESSION_ENTRY } from '@strongroom/shared/session/sessionEntries.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { awscli, credentialProcessConfig, DEMO_CHECKPOINTS_ROLE_ARN, type AwsRun } from './harness/awscli.js';
import { cliPeople, type CliPeople } from './harness/cliPeople.js';
import { listeningPorts } from './harness/listeningPorts.js';
import { startSocketAgent } from './harness/socketAgent.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { bashShell, eventually } from './harness/bashShell.js';
import { until } from './harness/until.js';

// Real broker, Chromium, CLI and awscli processes on a shared 2-core machine: generous timeouts.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

const ROLE = 'ml-researcher';
const ARN = DEMO_CHECKPOINTS_ROLE_ARN;

type Run = AwsRun;

/**
 * Issue 6 item 3 end to end: the real broker (demo roles), two people with their own Chromium key
 * and CLI home, a JIT grant of `ml-researcher` (which reaches the internal bucket prefix
 * `s3://corp-ml/checkpoints/` and its IAM role), an STS stand-in at the edge that verifies the
 * broker's web-identity token against its JWKS, and Debian's awscli as the tool: through a profile
 * with `credential_process = strongroom credential-process`, and through the agent's loopback
 * container endpoint (`strongroom env aws`) with and without the terminal's token. It all stops when
 * the grant ends.
 *
 * The bundle is the default one without `posture.cedar`: this CI VM fails disk encryption, so the
 * posture forbids would refuse every internal asset (that refusal is tested in the broker's tests).
 */
describe('AWS credentials end to end (broker, CLI, STS stand-in, awscli)', () => {
  let broker: RunningBroker;
  let people: CliPeople;
  let sts: StsStandIn;
  let policyDir: string;
  let awsDir: string;
  let grantId: string;
  let grantExpiresAt: number;

  const cli = (name: string, args: string[]) => people.run(name, args);
  const json = <T>(run: Run): T => {
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as T;
  };
  /** alice's environment for awscli: her CLI home (keychain profile), the temp AWS config. */
  const awsEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...people.person('alice').cli.env,
    AWS_CONFIG_FILE: join(awsDir, 'config'),
    AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'credentials'),
    ...extra,
  });

  beforeAll(async () => {
    policyDir = mkdtempSync(join(tmpdir(), 'strongroom-aws-policy-'));
    cpSync(fileURLToPath(new URL('../../broker/policy/default', import.meta.url)), policyDir, {
      recursive: true,
    });
    rmSync(join(policyDir, 'policies', 'posture.cedar'));
    rmSync(join(policyDir, 'tests'), { recursive: true });
    broker = await startBroker({ args: ['--demo', '--policy', policyDir] });
    sts = await new StsStandIn({ issuer: broker.issuer, roles: [ARN] }).start();
    people = await cliPeople(broker);
    await people.add('alice', ['ml-engineers']);
    await people.add('bob', ['team-leads']);
    expect((await cli('alice', ['config', 'set-aws', '--sts-endpoint', sts.url])).code).toBe(0);

    // A grant of ml-researcher for alice: request, bob's key touch, activation.
    const created = json<{ request: { id: string } }>(
      await cli('alice', [
        'request',
        ROLE,
        '--for',
        // AWS is refused in a grant's last 15 minutes (STS sessions cannot be shorter), so 30.
        '30m',
        '--reason',
        'resume the nightly fine-tune from its checkpoint',
        '--json',
      ]),
    );
    const approve = await cli('bob', ['approve', created.request.id, '--json']);
    expect(approve.code, approve.stderr).toBe(0);
    type Grants = { grants: Array<{ id: string; requestId: string; expiresAt: number | null }> };
    grantId =
      json<Grants>(await cli('alice', ['grants', '--json'])).grants.find(
        (g) => g.requestId === created.request.id,
      )?.id ?? '';
    json(await cli('alice', ['activate', grantId, '--json']));
    grantExpiresAt =
      json<Grants>(await cli('alice', ['grants', '--json'])).grants.find((g) => g.id === grantId)
        ?.expiresAt ?? 0;

    awsDir = mkdtempSync(join(tmpdir(), 'strongroom-aws-config-'));
    credentialProcessConfig(awsDir, ROLE);
  });

  afterAll(async () => {
    await people?.close();
    await sts?.stop();
    await broker?.stop();
    for (const dir of [policyDir, awsDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('awscli gets temporary credentials through credential_process, expiring with the grant, then from the keychain cache', async () => {
    const first = await awscli(
      ['configure', 'export-credentials', '--format', 'process', '--profile', 'sr'],
      awsEnv(),
    );
    const exported = json<Record<string, unknown>>(first);
    expect(sts.issued).toHaveLength(1);
    const issued = sts.issued[0];
    expect(exported).toMatchObject({
      Version: 1,
      AccessKeyId: issued?.accessKeyId,
      SecretAccessKey: issued?.secretAccessKey,
      SessionToken: issued?.sessionToken,
    });
    // STS is asked for the grant's remaining time in whole seconds, and the tool is told whichever
    // comes first, STS's expiry or the grant's end: never later than the grant, and only the
    // rounding plus the time the issue took (seconds on a loaded machine) earlier.
    const expiration = Date.parse(String(exported['Expiration']));
    expect(expiration).toBeLessThanOrEqual(grantExpiresAt);
    expect(grantExpiresAt - expiration).toBeLessThan(5000);
    expect(Math.abs((issued?.expiration ?? 0) - grantExpiresAt)).toBeLessThan(5000);
    // What STS verified: the broker's token for alice, this grant and this device.
    expect(issued?.claims).toMatchObject({ iss: broker.issuer, aud: 'sts.amazonaws.com', grant_id: grantId });

    const again = json<Record<string, unknown>>(
      await awscli(['configure', 'export-credentials', '--format', 'process', '--profile', 'sr'], awsEnv()),
    );
    expect(again['AccessKeyId']).toBe(issued?.accessKeyId);
    expect(sts.issued).toHaveLength(1); // served from the keychain, no new token or STS call

    // The helper itself: exactly the JSON on stdout, nothing on stderr.
    const direct = await cli('alice', ['credential-process', '--role', ROLE]);
    expect(direct.stderr).toBe('');
    expect(Object.keys(JSON.parse(direct.stdout) as object).sort()).toEqual(
      ['AccessKeyId', 'Expiration', 'SecretAccessKey', 'SessionToken', 'Version'].sort(),
    );
    expect(direct.stdout.trim().split('\n')).toHaveLength(1);
    // The miss path (broker, then STS through the AWS SDK) is as quiet: the asset's own name is
    // another cache entry, so this goes to the broker and STS again.
    const miss = await cli('alice', ['credential-process', '--role', 's3://corp-ml/checkpoints/']);
    expect(miss.code, miss.stderr).toBe(0);
    expect(miss.stderr).toBe('');
    expect(JSON.parse(miss.stdout)).toMatchObject({ Version: 1, AccessKeyId: sts.issued[1]?.accessKeyId });
  });

  it('refuses with the reason on stderr and nothing on stdout: a role not in the grant, a foreign grant, an unmapped role', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--role', 'restricted-data-reader'], /no active grant covers/],
      [['--role', ROLE, '--grant', randomUUID()], /no such grant/],
      [['--role', 'nope'], /no AWS role is mapped to "nope"/],
    ];
    for (const [args, why] of cases) {
      const run = await cli('alice', ['credential-process', ...args]);
      expect(run.code, run.stderr).toBe(4);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(why);
      expect(run.stderr).not.toMatch(/ASIA|eyJ/); // no keys, no tokens
    }
    // bob holds no grant for it.
    const bob = await cli('bob', ['credential-process', '--role', ROLE]);
    expect(bob.code).toBe(4);
    expect(bob.stdout).toBe('');
  });

  it('through the agent: env aws prints pointers, awscli needs the terminal token, and the grant end kills both', async () => {
    const alice = people.person('alice');
    const env = alice.cli.env;
    // alice's own runtime directory: the CLI finds her agent's socket there and nowhere else.
    env['XDG_RUNTIME_DIR'] = join(alice.cli.root, 'run');
    mkdirSync(env['XDG_RUNTIME_DIR'], { mode: 0o700 });
    // Recorded host facts (a passing Ubuntu workstation; the checks run for real): this CI VM fails
    // disk encryption, and the agent holds credentials back while posture fails.
    let firewall: 'on' | 'open' = 'on';
    const running = await startSocketAgent(env, {
      firewall: () => firewall,
      version: 'strongroom-aws-e2e/1',
    });
    const { agent, profile, vault: store } = running;
    try {
      expect(profile.aws?.stsEndpoint).toBe(sts.url);
      await until(
        'the agent knows the grant and posture passes',
        () =>
          agent.state.get().grants.some((g) => g.id === grantId) &&
          agent.state.get().posture.status === 'pass',
      );

      // Nothing listens on loopback for AWS until a terminal asks for the endpoint.
      const before = listeningPorts();
      // Shell exports: the loopback URL and the terminal's token, never a key.
      const shell = await cli('alice', ['env', 'aws', '--role', ROLE]);
      expect(shell.code, shell.stderr).toBe(0);
      const exports = Object.fromEntries(
        [...shell.stdout.matchAll(/^export (\w+)='([^']*)'$/gm)].map((m) => [m[1], m[2]]),
      );
      expect(Object.keys(exports).sort()).toEqual([
        'AWS_CONTAINER_AUTHORIZATION_TOKEN',
        'AWS_CONTAINER_CREDENTIALS_FULL_URI',
      ]);
      const awsOrigin = await running.awsOrigin();
      expect(exports['AWS_CONTAINER_CREDENTIALS_FULL_URI']).toBe(`${awsOrigin}/role/${ROLE}`);
      const port = Number(new URL(awsOrigin).port);
      expect(before.has(port)).toBe(false);
      expect(listeningPorts().has(port)).toBe(true);
      expect(Buffer.from(exports['AWS_CONTAINER_AUTHORIZATION_TOKEN'] ?? '', 'base64url')).toHaveLength(32);
      expect(shell.stdout + shell.stderr).not.toMatch(new RegExp(sts.issued[0]?.accessKeyId ?? 'ASIA'));

      const exported = json<Record<string, unknown>>(
        await awscli(
          ['configure', 'export-credentials', '--format', 'process'],
          awsEnv(exports as Record<string, string>),
        ),
      );
      expect(exported['AccessKeyId']).toBe(sts.issued[0]?.accessKeyId);
      expect(sts.issued).toHaveLength(2); // the agent served the keychain's credentials from memory
      // One token per job, with its own lifetime (never past the grant's end).
      const job = json<{ expiresAt: number; grantId: string }>(
        await cli('alice', ['env', 'aws', '--role', ROLE, '--ttl', '2m', '--json']),
      );
      expect(job.grantId).toBe(grantId);
      expect(job.expiresAt).toBeLessThanOrEqual(Date.now() + 120_000);
      // A terminal token lives 12 hours at most: a longer --ttl is a usage error (exit 2).
      expect((await cli('alice', ['env', 'aws', '--role', ROLE, '--ttl', '13h'])).code).toBe(2);
      const url = exports['AWS_CONTAINER_CREDENTIALS_FULL_URI'] ?? '';
      const wrongOrNone: Array<Record<string, string>> = [
        { AWS_CONTAINER_AUTHORIZATION_TOKEN: randomBytes(32).toString('base64url') },
        {},
      ];
      for (const bad of wrongOrNone) {
        const refused = await awscli(
          ['configure', 'export-credentials', '--format', 'process'],
          awsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: url, ...bad }),
        );
        expect(refused.code).not.toBe(0);
        expect(refused.stdout).not.toContain('ASIA');
      }
      // Posture fails (the firewall opens): the endpoint holds the keys back, even from memory;
      // once it passes again, the same terminal token works again.
      firewall = 'open';
      agent.trigger('manual');
      await until('posture fails', () => agent.state.get().posture.status === 'fail');
      const failing = await awscli(
        ['configure', 'export-credentials', '--format', 'process'],
        awsEnv(exports as Record<string, string>),
      );
      expect(failing.code).not.toBe(0);
      expect(failing.stdout).not.toContain('ASIA');
      const envFailing = await cli('alice', ['env', 'aws', '--role', ROLE]);
      expect(envFailing.code).not.toBe(0);
      expect(envFailing.stderr).toMatch(/posture/);
      // credential-process goes through the running agent too, and its answer is final: the keys
      // in the keychain are not read around it.
      const processFailing = await cli('alice', ['credential-process', '--role', ROLE]);
      expect(processFailing.code).not.toBe(0);
      expect(processFailing.stdout).toBe('');
      expect(processFailing.stderr).toMatch(/posture/);
      firewall = 'on';
      agent.trigger('manual');
      await until('posture passes again', () => agent.state.get().posture.status === 'pass');
      const viaAgent = await cli('alice', ['credential-process', '--role', ROLE]);
      expect(viaAgent.stderr).toBe('');
      expect(JSON.parse(viaAgent.stdout)).toMatchObject({
        Version: 1,
        AccessKeyId: sts.issued[0]?.accessKeyId,
      });
      expect(
        json<Record<string, unknown>>(
          await awscli(
            ['configure', 'export-credentials', '--format', 'process'],
            awsEnv(exports as Record<string, string>),
          ),
        )['AccessKeyId'],
      ).toBe(sts.issued[0]?.accessKeyId);

      // Another profile than the agent serves: refused, nothing made.
      const otherProfile = await people.run('alice', ['env', 'aws', '--role', ROLE], {
        STRONGROOM_PROFILE: 'someone-else',
      });
      expect(otherProfile.code).not.toBe(0);
      expect(otherProfile.stdout).toBe('');
      expect(otherProfile.stderr).toMatch(/serves profile/);
      // A role the grant does not cover: refused now, with the broker's reason, and no token made.
      const notGranted = await cli('alice', ['env', 'aws', '--role', 'restricted-data-reader']);
      expect(notGranted.code).toBe(4);
      expect(notGranted.stdout).toBe('');
      expect(notGranted.stderr).toMatch(/no active grant covers/);

      // The grant ends (alice drops it): the broker's grant.ended reaches the agent, which revokes
      // the terminal's token and wipes what was cached; the CLI's drop wipes the keychain too.
      json(await cli('alice', ['drop', grantId, '--json']));
      await until('the agent wiped the grant', () => !agent.state.get().grants.some((g) => g.id === grantId));
      const ended = await awscli(
        ['configure', 'export-credentials', '--format', 'process'],
        awsEnv(exports as Record<string, string>),
      );
      expect(ended.code).not.toBe(0);
      expect(ended.stdout).not.toContain('ASIA');
      const viaProcess = await awscli(
        ['configure', 'export-credentials', '--format', 'process', '--profile', 'sr'],
        awsEnv(),
      );
      expect(viaProcess.code).not.toBe(0);
      expect(viaProcess.stdout).not.toContain('ASIA');
      expect(viaProcess.stderr).toMatch(/grant/);
      expect(sts.issued).toHaveLength(2);
      expect((await store.list(profile.name)).filter((n) => n.includes('.aws-'))).toEqual([]);
    } finally {
      await running.stop();
    }
  });

  it('hands out no cached keys once the session has ended, and wipes them', async () => {
    const env = people.person('alice').cli.env;
    const profile = env['STRONGROOM_PROFILE'] ?? '';
    const store = createKeychainCredentialStore({ platform: process.platform });
    await cacheAwsCredentials(
      store,
      profile,
      ROLE,
      {
        accessKeyId: 'ASIASTALE0000000001',
        secretAccessKey: 'stale',
        sessionToken: 'stale',
        expiration: Date.now() + 30 * 60_000,
        grantId: randomUUID(),
        roleArn: ARN,
      },
      Date.now(),
    );
    const served = await cli('alice', ['credential-process', '--role', ROLE]);
    expect(JSON.parse(served.stdout)).toMatchObject({ AccessKeyId: 'ASIASTALE0000000001' });
    // The session ends (its vault entry expires or is gone): the cache is not served any more.
    await store.delete(profile, SESSION_ENTRY);
    const after = await cli('alice', ['credential-process', '--role', ROLE]);
    expect(after.code).toBe(3);
    expect(after.stdout).toBe('');
    expect(after.stderr).toMatch(/not signed in/);
    expect((await store.list(profile)).filter((n) => n.includes('.aws-'))).toEqual([]);
  });

  it('env aws in a real shell: the token dies when the shell exits; a wrong token is refused and lands in the broker’s audit', async () => {
    // alice's session ended in the case before: carol, with her own grant, agent and shell.
    const carol = await people.add('carol', ['ml-engineers']);
    const env = carol.cli.env;
    env['XDG_RUNTIME_DIR'] = join(carol.cli.root, 'run');
    mkdirSync(env['XDG_RUNTIME_DIR'], { mode: 0o700 });
    expect((await cli('carol', ['config', 'set-aws', '--sts-endpoint', sts.url])).code).toBe(0);
    const created = json<{ request: { id: string } }>(
      await cli('carol', [
        'request',
        ROLE,
        '--for',
        '30m',
        '--reason',
        'resume the fine-tune from a shell',
        '--json',
      ]),
    );
    expect((await cli('bob', ['approve', created.request.id, '--json'])).code).toBe(0);
    type Grants = { grants: Array<{ id: string; requestId: string }> };
    const carolGrant =
      json<Grants>(await cli('carol', ['grants', '--json'])).grants.find(
        (g) => g.requestId === created.request.id,
      )?.id ?? '';
    json(await cli('carol', ['activate', carolGrant, '--json']));
    const running = await startSocketAgent(env, { version: 'strongroom-aws-e2e/1' });
    // The shell's environment: carol's, awscli with no AWS config of its own and no metadata service.
    const shellEnv: NodeJS.ProcessEnv = {
      ...Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('AWS_'))),
      AWS_CONFIG_FILE: join(awsDir, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(awsDir, 'none'),
      AWS_EC2_METADATA_DISABLED: 'true',
    };
    try {
      await until(
        'the agent knows carol’s grant and posture passes',
        () =>
          running.agent.state.get().grants.some((g) => g.id === carolGrant) &&
          running.agent.state.get().posture.status === 'pass',
      );
      // A job runner's token (--job) follows no process: it outlives its shell.
      const job = await bashShell(
        'eval "$(strongroom env aws --role "$1" --job)" && printf %s "$AWS_CONTAINER_AUTHORIZATION_TOKEN"',
        shellEnv,
        [ROLE],
      );
      expect(job.code, job.stderr).toBe(0);

      // The shell evals the pointers, awscli in it gets the role, and the shell exits.
      const shell = await bashShell(
        [
          'eval "$(strongroom env aws --role "$1")" || exit 9',
          'aws configure export-credentials --format process || exit 8',
          'printf "\\n%s\\n%s\\n" "$AWS_CONTAINER_CREDENTIALS_FULL_URI" "$AWS_CONTAINER_AUTHORIZATION_TOKEN"',
        ].join('\n'),
        shellEnv,
        [ROLE],
      );
      expect(shell.code, shell.stderr).toBe(0);
      const lines = shell.stdout.trimEnd().split('\n');
      const [url, token] = [lines.at(-2) ?? '', lines.at(-1) ?? ''];
      expect(url).toBe(`${await running.awsOrigin()}/role/${ROLE}`);
      expect(JSON.parse(lines.slice(0, -3).join('\n'))).toMatchObject({
        Version: 1,
        AccessKeyId: sts.issued.at(-1)?.accessKeyId,
      });
      // The token follows the shell itself (not a subshell or the CLI), and says so.
      expect(shell.stderr).toContain(`when process ${String(shell.pid)} exits`);

      // bash has exited: the agent notices and revokes the token; awscli with it gets nothing.
      await eventually(
        'the shell’s token is revoked',
        async () => (await fetch(url, { headers: { authorization: token } })).status === 401,
      );
      const after = await awscli(
        ['configure', 'export-credentials', '--format', 'process'],
        awsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token }),
      );
      expect(after.code).not.toBe(0);
      expect(after.stdout).not.toContain('ASIA');
      // The job's shell exited first, and its token still works.
      expect((await fetch(url, { headers: { authorization: job.stdout } })).status).toBe(200);

      // A wrong token: refused, and the agent reports it (coalesced, without the token) to the
      // broker's audit, with the issued and revoked tokens, all as reported by carol's device.
      const wrongToken = randomBytes(32).toString('base64url');
      const wrong = await awscli(
        ['configure', 'export-credentials', '--format', 'process'],
        awsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: wrongToken }),
      );
      expect(wrong.code).not.toBe(0);
      type Recorded = {
        activity: string;
        statusId: number;
        actor: Record<string, unknown>;
        data?: Record<string, unknown>;
      };
      let exported = '';
      const clientRecords = (): Recorded[] =>
        exported
          .split('\n')
          .filter((line) => line.includes('"client.terminal-token.'))
          .map((line) => (JSON.parse(line) as { record: Recorded }).record);
      const issued = (): Recorded | undefined =>
        clientRecords().find(
          (r) =>
            r.activity === 'client.terminal-token.issued' &&
            r.data?.['holder'] === 'process' &&
            r.data['grantId'] === carolGrant,
        );
      const carolsRefusals = (): Recorded[] =>
        clientRecords().filter(
          (r) =>
            r.activity === 'client.terminal-token.refused' &&
            r.data?.['reason'] === 'unknown-token' &&
            r.actor['email'] === 'carol@example.test',
        );
      await eventually('the agent’s reports are in the broker’s audit', async () => {
        exported = (await broker.run(['audit', 'export'])).stdout;
        const terminalId = issued()?.data?.['terminalId'];
        return (
          carolsRefusals().length > 0 &&
          clientRecords().some(
            (r) => r.activity === 'client.terminal-token.revoked' && r.data?.['terminalId'] === terminalId,
          )
        );
      });
      const terminal = issued();
      expect(terminal?.actor).toMatchObject({
        kind: 'user',
        email: 'carol@example.test',
        deviceId: expect.any(String) as unknown,
      });
      expect(terminal?.data).toMatchObject({ reportedBy: 'client', role: ROLE });
      const revoked = clientRecords().find(
        (r) =>
          r.activity === 'client.terminal-token.revoked' &&
          r.data?.['terminalId'] === terminal?.data?.['terminalId'],
      );
      expect(revoked?.data).toMatchObject({ reportedBy: 'client', reason: 'holder-exited' });
      const refusals = carolsRefusals();
      expect(
        refusals.every((r) => r.statusId === 2 && r.actor['deviceId'] === terminal?.actor['deviceId']),
      ).toBe(true);
      // awscli retries a refused endpoint: the retries are one record with a count, or a few.
      expect(refusals.reduce((n, r) => n + Number(r.data?.['count']), 0)).toBeGreaterThanOrEqual(1);
      for (const secret of [token, wrongToken, job.stdout]) expect(exported).not.toContain(secret);
    } finally {
      await running.stop();
    }
  });
});
