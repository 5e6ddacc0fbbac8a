import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { runStrongroom } from '@strongroom/cli/testing/runStrongroom.js';
import type { AgentNotification } from '@strongroom/shared/agent/AgentNotifier.js';
import { agentSocketPath } from '@strongroom/shared/agent/agentSocketPath.js';
import { createAgent, type Agent } from '@strongroom/shared/agent/createAgent.js';
import { startAgentServer, type AgentServer } from '@strongroom/shared/agent/startAgentServer.js';
import { systemClock } from '@strongroom/shared/agent/AgentClock.js';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { resolveProfile, type ResolvedProfile } from '@strongroom/shared/config/resolveProfile.js';
import { loadSoftwareDeviceKey } from '@strongroom/shared/device/loadSoftwareDeviceKey.js';
import { discoverBroker } from '@strongroom/shared/oidc/discoverBroker.js';
import { runPostureChecks } from '@strongroom/shared/posture/runPostureChecks.js';
import { collectPlatformFacts } from '@strongroom/shared/posture-attestation/collectPlatformFacts.js';
import { createSessionController } from '@strongroom/shared/session/createSessionController.js';
import { REFRESH_TOKEN_ENTRY } from '@strongroom/shared/session/sessionEntries.js';
import type { CredentialStore } from '@strongroom/shared/vault/CredentialStore.js';
import { createKeychainCredentialStore } from '@strongroom/shared/vault/createKeychainCredentialStore.js';
import { grantCredentialEntry } from '@strongroom/shared/vault/grantCredentialEntries.js';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { cliPeople, type CliPeople } from './harness/cliPeople.js';
import { recordedWorkstation } from './harness/recordedWorkstation.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';

// Real broker, Chromium keys, gnome-keyring and CLI processes on a shared 2-core machine, and an
// access token that must age (30 s) before the agent refreshes it: generous timeouts, no
// wall-clock assertions.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 240_000 });

/** Waits until `check` holds (polling); the test's own timeout bounds it. */
async function until<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
): Promise<T> {
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (process.env['STRONGROOM_DEBUG']) process.stderr.write(`waiting for ${what}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/**
 * Issue 8, the agent against the real broker (--demo, default bundle, 30 s access tokens): A signs
 * in with `strongroom login` (Chromium, virtual key, gnome-keyring), then an in-process agent
 * holds her session with the same keychain profile. Only the host facts of the posture checks are
 * recorded (a passing Ubuntu workstation, then the same one with its firewall open); the checks,
 * signing, attestation, refresh, event stream, socket and CLI are real.
 */
describe('agent end to end (real broker, keychain, CLI through the socket)', () => {
  let broker: RunningBroker;
  let people: CliPeople;
  let profile: ResolvedProfile;
  let store: CredentialStore;
  let agent: Agent;
  let server: AgentServer;
  let firewall: 'on' | 'open' = 'on';
  const notes: AgentNotification[] = [];
  let firstRefreshToken: string | undefined;

  const cli = (name: string, args: string[]) => people.run(name, args);
  const noted = (key: RegExp) => notes.find((n) => key.test(n.key));

  const log = (level: string, message: string) => {
    if (process.env['STRONGROOM_DEBUG']) process.stderr.write(`agent ${level}: ${message}\n`);
  };
  const host = {
    platform: process.platform,
    openBrowser: async () => undefined,
    now: systemClock.now,
    log,
    notify: () => undefined,
  };

  /** An in-process agent on `name`'s keychain profile, serving the socket in their runtime directory. */
  const startAgentFor = async (
    name: string,
    firewallNow: () => 'on' | 'open',
    notifications: AgentNotification[],
  ): Promise<{ agent: Agent; server: AgentServer; profile: ResolvedProfile }> => {
    const env = people.person(name).cli.env;
    const own = resolveProfile(
      await readStrongroomConfig(configPath(env, homedir())),
      env['STRONGROOM_PROFILE'],
    );
    const session = createSessionController({ host, store, profile: own });
    const created = createAgent({
      profile: own,
      session,
      broker: session.api,
      vault: store,
      deviceKey: () => loadSoftwareDeviceKey(store, own.name),
      clock: systemClock,
      notifier: { show: (n) => notifications.push(n) },
      posture: {
        run: () => {
          const machine = recordedWorkstation({ firewall: firewallNow() });
          return runPostureChecks(machine.host, machine.options);
        },
        platformFacts: () => collectPlatformFacts(recordedWorkstation({ firewall: 'on' }).host),
      },
      platform: 'linux',
      version: 'strongroom-agent-e2e/1',
      log,
      // Every notification is seen by the test (no coalescing window to wait out).
      options: { notificationWindowMs: 1 },
    });
    const uid = process.getuid?.();
    const listening = await startAgentServer({
      methods: created.methods,
      endpoint: agentSocketPath({ platform: process.platform, env, uid, tmpdir: env['TMPDIR'] ?? '/tmp' }),
      platform: process.platform,
      uid,
      log,
    });
    return { agent: created, server: listening, profile: own };
  };

  beforeAll(async () => {
    broker = await startBroker({ args: ['--demo', '--access-token-ttl', '30'] });
    people = await cliPeople(broker);
    await people.add('alice', ['ml-engineers']);
    await people.add('bob', ['data-stewards']);
    await people.add('carol', ['data-stewards']);
    await people.add('dave', ['admin']);
    for (const name of ['alice', 'bob', 'carol', 'dave']) {
      // Each person's own runtime directory, so the CLI finds only that person's agent.
      const env = people.person(name).cli.env;
      env['XDG_RUNTIME_DIR'] = join(people.person(name).cli.root, 'run');
      mkdirSync(env['XDG_RUNTIME_DIR'], { mode: 0o700 });
    }

    store = createKeychainCredentialStore({ platform: process.platform });
    const alice = await startAgentFor('alice', () => firewall, notes);
    ({ agent, server, profile } = alice);
    firstRefreshToken = await store.get(profile.name, REFRESH_TOKEN_ENTRY);
    await agent.start();
  });

  afterAll(async () => {
    agent?.stop();
    await server?.close();
    await people?.close();
    await broker?.stop();
  });

  it('holds the session: signed in, posture attested as compliant, events connected', async () => {
    const state = await until('compliant attestation and a connected stream', () => {
      const s = agent.state.get();
      return s.posture.attestation?.compliant === true && s.connected && s;
    });
    expect(state.session).toMatchObject({
      status: 'signedIn',
      profile: profile.name,
      user: { email: 'alice@example.test' },
    });
    expect(state.posture).toMatchObject({ status: 'pass', failing: [], attestationError: null });
    expect(state.locked).toBeNull();
  });

  it('serves `strongroom status` and `strongroom token` through the socket', async () => {
    const status = await cli('alice', ['status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const body = JSON.parse(status.stdout) as {
      signedIn: boolean;
      email: string;
      agent?: { pid: number };
      posture?: { status: string };
    };
    expect(body).toMatchObject({
      signedIn: true,
      email: 'alice@example.test',
      agent: { pid: process.pid },
      posture: { status: 'pass' },
    });
    const token = await cli('alice', ['token']);
    expect(token.code, token.stderr).toBe(0);
    expect(token.stdout.trim()).toBe((await agent.call('token', {})).accessToken);
    // A caller that means another profile is not served by this agent: it works alone.
    const other = await runStrongroom(['status', '--json'], {
      ...people.person('alice').cli.env,
      STRONGROOM_PROFILE: 'someone-else',
    });
    expect(other.stdout).not.toContain('"agent"');
  });

  it('refreshes the session before the access token expires, while posture passes', async () => {
    const before = agent.state.get().session;
    if (before.status !== 'signedIn') throw new Error('signed out');
    const after = await until('a refreshed access token', () => {
      const s = agent.state.get().session;
      return s.status === 'signedIn' && s.accessTokenExpiresAt > before.accessTokenExpiresAt && s;
    });
    expect(after.authTime).toBe(before.authTime);
    // Rotated: the vault holds a new refresh token now.
    expect(await store.get(profile.name, REFRESH_TOKEN_ENTRY)).not.toBe(firstRefreshToken);
  });

  let grantId = '';
  it('notifies with Activate when another user approves, and wipes what was issued under a grant when the broker ends it', async () => {
    const created = await agent.call('requests.create', {
      target: { type: 'Role', id: 'restricted-data-reader' },
      durationMinutes: 15,
      reason: 'Investigate label drift in customer chats (agent e2e)',
    });
    expect(created.request.status).toBe('pending');
    for (const approver of ['bob', 'carol']) {
      const run = await cli(approver, ['approve', created.request.id, '--json']);
      expect(run.code, run.stderr).toBe(0);
    }
    const approved = await until('request.approved notification', () =>
      noted(new RegExp(`^request:${created.request.id}:approved$`)),
    );
    expect(approved.actions).toEqual([{ kind: 'activate', grantId: expect.any(String) }]);
    const action = approved.actions[0];
    grantId = action?.kind === 'activate' ? action.grantId : '';
    await until('the approved grant in state', () =>
      agent.state.get().grants.some((g) => g.id === grantId && g.state === 'approved'),
    );

    await agent.call('grants.activate', { grantId });
    await until('the active grant in state', () =>
      agent.state.get().grants.some((g) => g.id === grantId && g.state === 'active'),
    );
    // The broker says what the grant covers (the catalog assets listing restricted-data-reader
    // that clients get credentials for); the agent keeps it for elevated terminals.
    expect(agent.state.get().grants.find((g) => g.id === grantId)?.covers).toEqual([
      { type: 'BucketPrefix', id: 's3://corp-ml/raw/' },
      { type: 'Service', id: 'notebooks' },
    ]);
    // What a credential helper would leave behind under this grant, and an elevated terminal.
    const entry = grantCredentialEntry(grantId, 'test-cred');
    await store.set(profile.name, entry, 'not-a-real-secret', Date.now() + 3_600_000);
    const terminal = await agent.call('terminal.create', { label: 'e2e terminal', grantId });
    expect(agent.terminals.verify(terminal.token)).toMatchObject({ grantId });

    // The device regresses (firewall opened): the agent shows it at once with the fix, attests,
    // and the broker ends the restricted grant (posture_regression) → grant.ended → wipe.
    firewall = 'open';
    agent.trigger('network');
    const regression = await until('posture regression notification', () => noted(/^posture:fail:firewall$/));
    expect(regression).toMatchObject({ severity: 'warning', actions: [{ kind: 'showPosture' }] });
    expect(regression.body).toMatch(/Firewall: .+/);
    await until(
      'the grant wiped',
      async () =>
        !(await store.list(profile.name)).includes(entry) &&
        !agent.state.get().grants.some((g) => g.id === grantId),
    );
    expect(agent.terminals.verify(terminal.token)).toBeUndefined();
    const ended = await until('grant.ended notification', () =>
      noted(new RegExp(`^grant:${grantId}:ended$`)),
    );
    expect(ended.body).toMatch(/posture_regression/);
    expect(agent.state.get().posture).toMatchObject({ status: 'fail', attestation: { compliant: false } });
    // While posture fails, the agent hands out no credentials.
    await expect(agent.call('credentials.get', { kind: 'aws', target: 'x' })).rejects.toMatchObject({
      code: 'posture_failing',
    });

    firewall = 'on';
    agent.trigger('unlock');
    await until(
      'posture passing again',
      () =>
        agent.state.get().posture.attestation?.compliant === true &&
        agent.state.get().posture.status === 'pass',
    );
  });

  it('wipes everything and says why when the broker revokes the session (refresh token reuse)', async () => {
    // Someone replays the first, rotated-out refresh token (with this device's key): the broker
    // treats it as theft and revokes the whole session (README, refresh token reuse).
    expect(firstRefreshToken).toBeDefined();
    const key = await loadSoftwareDeviceKey(store, profile.name);
    const config = await discoverBroker(profile);
    await expect(
      oidc.refreshTokenGrant(config, firstRefreshToken ?? '', undefined, {
        DPoP: oidc.getDPoPHandle(config, key.keyPair),
      }),
    ).rejects.toThrow();
    agent.trigger('network');
    const ended = await until('session ended notification', () => noted(/^session:ended$/));
    expect(ended).toMatchObject({ severity: 'warning', actions: [{ kind: 'signIn' }] });
    expect(agent.state.get()).toMatchObject({ session: { status: 'signedOut' }, grants: [] });
    expect(await store.list(profile.name)).toEqual([]);
    await expect(agent.call('token', {})).rejects.toMatchObject({ code: 'not_signed_in' });
    // The CLI, through the agent or alone, says the same.
    const status = await cli('alice', ['status', '--json']);
    expect(status.code).toBe(3);
  });

  it('wipes everything and says why when an admin locks the account (session.revoked)', async () => {
    const daveEnv = people.person('dave').cli.env;
    const daveProfile = resolveProfile(
      await readStrongroomConfig(configPath(daveEnv, homedir())),
      daveEnv['STRONGROOM_PROFILE'],
    );
    const dave = createSessionController({ host, store, profile: daveProfile });
    const asAdmin = async (path: string) =>
      (await (await dave.api.request('GET', path)).json()) as Record<string, Array<Record<string, unknown>>>;
    // The reuse above made the broker lock A automatically (the refresh-token-reuse detector of the
    // default bundle: critical, lock-principal); the admin sees the alert and the lock.
    const alert = await until('the refresh-token-reuse alert', async () =>
      (await asAdmin('/api/v1/admin/alerts')).alerts?.find((a) => a['detector'] === 'refresh-token-reuse'),
    );
    expect(alert).toMatchObject({
      severity: 'critical',
      action: 'lock-principal',
      userEmail: 'alice@example.test',
      lockId: expect.any(String),
    });
    expect((await asAdmin('/api/v1/admin/locks?active=true')).locks).toEqual([
      expect.objectContaining({ id: alert['lockId'], userEmail: 'alice@example.test', automatic: true }),
    ]);
    // B is locked by an admin.
    const bobNotes: AgentNotification[] = [];
    const bob = await startAgentFor('bob', () => 'on', bobNotes);
    await bob.agent.start();
    try {
      await until('B signed in, stream connected', () => {
        const s = bob.agent.state.get();
        return s.session.status === 'signedIn' && s.connected;
      });
      const locked = await dave.api.request('POST', '/api/v1/admin/locks', {
        kind: 'user',
        user: 'bob@example.test',
        reason: 'agent e2e: restricted pulls far above his baseline',
      });
      expect(locked.status).toBe(201);

      const state = await until('locked state', () => bob.agent.state.get().locked ?? undefined);
      expect(state).toMatchObject({
        source: 'session.revoked',
        reason: expect.stringMatching(/locked by an admin: agent e2e/),
      });
      const note = await until('lock notification', () =>
        bobNotes.find((n) => n.key === 'lock:session.revoked'),
      );
      expect(note).toMatchObject({ severity: 'critical', actions: [{ kind: 'signIn' }] });
      expect(await store.list(bob.profile.name)).toEqual([]);
      await expect(bob.agent.call('token', {})).rejects.toMatchObject({ code: 'locked' });
      // `strongroom status` through the agent says why (exit 3).
      const status = await cli('bob', ['status']);
      expect(status.code).toBe(3);
      expect(status.stderr).toMatch(/locked by an admin: agent e2e/);
    } finally {
      bob.agent.stop();
      await bob.server.close();
    }
  });

  it('lets the CLI work alone once the agent stops', async () => {
    agent.stop();
    await server.close();
    expect(existsSync(server.path)).toBe(false);
    // Answered from the keychain alone: signed out (the lock wiped it), and no agent in the answer.
    const status = await cli('alice', ['status', '--json']);
    expect(status.code).toBe(3);
    expect(JSON.parse(status.stdout)).toEqual({
      signedIn: false,
      profile: profile.name,
      broker: profile.broker,
    });
  });
});
