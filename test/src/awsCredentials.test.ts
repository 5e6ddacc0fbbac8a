import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { isolatedCliEnv, type IsolatedCliEnv } from '@strongroom/cli/testing/isolatedCliEnv.js';
import { runStrongroom, STRONGROOM_BIN } from '@strongroom/cli/testing/runStrongroom.js';
import { createBrokerClient } from '@strongroom/shared/broker-client/createBrokerClient.js';
import { DEFAULT_ACR, DEFAULT_CLIENT_ID } from '@strongroom/shared/config/StrongroomConfig.js';
import type { ResolvedProfile } from '@strongroom/shared/config/resolveProfile.js';
import { startContainerCredentialsServer } from '@strongroom/shared/credentials/aws/containerCredentialsServer.js';
import { createAwsCredentialProvider } from '@strongroom/shared/credentials/aws/createAwsCredentialProvider.js';
import { StsStandIn } from '@strongroom/shared/credentials/aws/fixtures/StsStandIn.js';
import { TerminalTokenRegistry } from '@strongroom/shared/credentials/aws/TerminalTokenRegistry.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBrowserHandoff, type BrowserHandoff } from './harness/browserHandoff.js';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './harness/launchBrowser.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { addVirtualAuthenticator } from './harness/virtualAuthenticator.js';

// Real broker, Chromium, CLI and awscli processes on a shared 2-core machine: generous timeouts.
vi.setConfig({ testTimeout: 240_000, hookTimeout: 180_000 });

const ROLE = 'ml-researcher';
const ARN = 'arn:aws:iam::111122223333:role/strongroom/corp-ml-checkpoints';
const STATUS = '[data-testid="status"]';

interface Person {
  page: Page;
  cli: IsolatedCliEnv;
  profile: string;
  pending: Array<Promise<void>>;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Debian's awscli (not a pyenv shim), no real AWS anywhere: metadata off, config in a temp dir. */
async function awscli(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  const clean = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('AWS_')));
  try {
    const { stdout, stderr } = await promisify(execFile)('/usr/bin/aws', args, {
      env: { ...clean, AWS_EC2_METADATA_DISABLED: 'true', ...pickAws(env) },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}
const pickAws = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('AWS_') && e[1] !== undefined),
  );
async function approveWithKey(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('approve-key').click();
  const settled = page.locator(`${STATUS}[data-state="done"], ${STATUS}[data-state="error"]`);
  await settled.waitFor({ timeout: 20_000 });
  if ((await settled.getAttribute('data-state')) === 'error')
    throw new Error(`approval page reported: ${(await settled.textContent()) ?? ''}`);
}

/**
 * Issue 6 item 3 end to end: the real broker (demo roles), two people with their own Chromium key
 * and CLI home, a JIT grant of `ml-researcher` (which reaches the internal bucket prefix
 * `s3://corp-ml/checkpoints/` and its IAM role), an STS stand-in at the edge that verifies the
 * broker's web-identity token against its JWKS, and Debian's awscli as the tool: through a profile
 * with `credential_process = strongroom credential-process`, and through the loopback container
 * endpoint with and without the terminal's token. It all stops when the grant ends.
 *
 * The bundle is the default one without `posture.cedar`: this CI VM fails disk encryption, so the
 * posture forbids would refuse every internal asset (that refusal is tested in the broker's tests).
 */
describe('AWS credentials end to end (broker, CLI, STS stand-in, awscli)', () => {
  let broker: RunningBroker;
  let browser: LaunchedBrowser;
  let handoff: BrowserHandoff;
  let sts: StsStandIn;
  let policyDir: string;
  let awsDir: string;
  let grantId: string;
  let grantExpiresAt: number;
  const people = new Map<string, Person>();

  const person = (name: string): Person => {
    const p = people.get(name);
    if (!p) throw new Error(`no person ${name}`);
    return p;
  };
  const cli = (name: string, args: string[]) => runStrongroom(args, person(name).cli.env);
  const json = <T>(run: Run): T => {
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as T;
  };
  /** alice's environment for awscli: her CLI home (keychain profile), the temp AWS config. */
  const awsEnv = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    ...person('alice').cli.env,
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
    browser = await launchBrowser();
    handoff = await startBrowserHandoff((url, path) => {
      const p = people.get(path.slice(1));
      if (!p) return;
      const work = new URL(url).pathname.startsWith('/approve/')
        ? approveWithKey(p.page, url)
        : signInWithKey(p.page, url);
      work.catch(() => undefined);
      p.pending.push(work);
    });
    for (const [name, role] of [
      ['alice', 'ml-engineers'],
      ['bob', 'team-leads'],
    ] as const) {
      const context = await browser.browser.newContext();
      const page = await context.newPage();
      await addVirtualAuthenticator(page);
      await enrollWithKey(page, await broker.invite(`${name}@example.test`, [role]));
      const env = isolatedCliEnv({ STRONGROOM_HANDOFF: `${handoff.url}${name}` });
      const opener = join(env.root, 'open-browser.mjs');
      writeFileSync(
        opener,
        "await fetch(process.env.STRONGROOM_HANDOFF, { method: 'POST', body: process.argv.at(-1) });\n",
      );
      env.env['STRONGROOM_BROWSER'] = `${process.execPath} ${opener}`;
      const profile = `aws-${name}-${randomBytes(5).toString('hex')}`;
      env.env['STRONGROOM_PROFILE'] = profile;
      const p: Person = { page, cli: env, profile, pending: [] };
      people.set(name, p);
      expect((await cli(name, ['config', 'set-broker', broker.issuer])).code).toBe(0);
      const login = await cli(name, ['login']);
      await Promise.all(p.pending.splice(0));
      expect(login.code, login.stderr).toBe(0);
    }
    expect((await cli('alice', ['config', 'set-aws', '--sts-endpoint', sts.url])).code).toBe(0);

    // A grant of ml-researcher for alice: request, bob's key touch, activation.
    const created = json<{ request: { id: string } }>(
      await cli('alice', [
        'request',
        ROLE,
        '--for',
        '15m',
        '--reason',
        'resume the nightly fine-tune from its checkpoint',
        '--json',
      ]),
    );
    const approve = await cli('bob', ['approve', created.request.id, '--json']);
    await Promise.all(person('bob').pending.splice(0));
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
    writeFileSync(
      join(awsDir, 'config'),
      `[profile sr]\ncredential_process = ${process.execPath} ${STRONGROOM_BIN} credential-process --role ${ROLE}\nregion = us-east-1\n`,
    );
  });

  afterAll(async () => {
    for (const p of people.values()) {
      await runStrongroom(['logout', '--forget-device'], p.cli.env);
      p.cli.remove();
    }
    handoff?.close();
    await browser?.close();
    await sts?.stop();
    await broker?.stop();
    for (const dir of [policyDir, awsDir]) if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('awscli gets temporary credentials through credential_process, expiring with the grant, then from the keychain cache', async () => {
    const exported = json<Record<string, unknown>>(
      await awscli(['configure', 'export-credentials', '--format', 'process', '--profile', 'sr'], awsEnv()),
    );
    expect(sts.issued).toHaveLength(1);
    const issued = sts.issued[0];
    expect(exported).toMatchObject({
      Version: 1,
      AccessKeyId: issued?.accessKeyId,
      SecretAccessKey: issued?.secretAccessKey,
      SessionToken: issued?.sessionToken,
    });
    // STS's minimum is 15 minutes; the grant ends sooner, and that is what the tool is told.
    expect(Math.abs(Date.parse(String(exported['Expiration'])) - grantExpiresAt)).toBeLessThan(1000);
    expect(issued?.expiration).toBeGreaterThanOrEqual(grantExpiresAt);
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

  it('the container endpoint serves awscli with the terminal token only, and stops when the grant ends', async () => {
    const alice = person('alice');
    const profile: ResolvedProfile = {
      name: alice.profile,
      broker: broker.issuer,
      clientId: DEFAULT_CLIENT_ID,
      acr: DEFAULT_ACR,
      aws: { stsEndpoint: sts.url },
    };
    const store = createKeychainCredentialStore({ platform: process.platform });
    const host = {
      platform: process.platform,
      openBrowser: () => Promise.reject(new Error('no browser here')),
      now: Date.now,
      log: () => undefined,
      notify: () => undefined,
    };
    const client = createBrokerClient({
      host,
      profile,
      store,
      stepUp: () => Promise.reject(new StrongroomError('denied', 'no step-up in this test')),
    });
    const provider = createAwsCredentialProvider({
      profile,
      store,
      client: () => Promise.resolve(client),
      now: Date.now,
    });
    const registry = new TerminalTokenRegistry();
    const server = await startContainerCredentialsServer({
      registry,
      credentialsFor: (role, terminal) =>
        provider.get({ role, ...(terminal.grantId === undefined ? {} : { grantId: terminal.grantId }) }),
    });
    try {
      const { token } = registry.create({
        label: 'e2e terminal',
        role: ROLE,
        grantId,
        expiresAt: grantExpiresAt,
      });
      const url = server.urlFor(ROLE);
      const exported = json<Record<string, unknown>>(
        await awscli(
          ['configure', 'export-credentials', '--format', 'process'],
          awsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token }),
        ),
      );
      expect(exported['AccessKeyId']).toBe(sts.issued[0]?.accessKeyId);
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

      // The grant ends (alice drops it): the CLI wipes its cache, the broker refuses new tokens.
      json(await cli('alice', ['drop', grantId, '--json']));
      const after = await awscli(
        ['configure', 'export-credentials', '--format', 'process', '--profile', 'sr'],
        awsEnv(),
      );
      expect(after.code).not.toBe(0);
      expect(after.stdout).not.toContain('ASIA');
      expect(after.stderr).toMatch(/grant/);
      expect(sts.issued).toHaveLength(1);

      // The agent forgets the grant's credentials on its grant.ended event (here by hand); the next
      // ask reaches the broker, which refuses: 403, and the terminal's token is dead.
      provider.forgetGrant(grantId);
      const ended = await awscli(
        ['configure', 'export-credentials', '--format', 'process'],
        awsEnv({ AWS_CONTAINER_CREDENTIALS_FULL_URI: url, AWS_CONTAINER_AUTHORIZATION_TOKEN: token }),
      );
      expect(ended.code).not.toBe(0);
      expect(ended.stdout).not.toContain('ASIA');
      expect(registry.verify(token)).toBeUndefined();
    } finally {
      await server.close();
    }
  });
});
