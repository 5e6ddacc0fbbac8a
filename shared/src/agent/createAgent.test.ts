import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadSoftwareDeviceKey } from '../device/loadSoftwareDeviceKey.js';
import { StandInProvider } from '../oidc/fixtures/StandInProvider.js';
import type { PostureReport } from '../posture/PostureReport.js';
import type { HostContext } from '../session/HostContext.js';
import { createSessionController } from '../session/createSessionController.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import type { AgentNotification } from './AgentNotifier.js';
import { createAgent, type Agent } from './createAgent.js';
import { ManualClock } from './fixtures/ManualClock.js';

const op = new StandInProvider();
beforeAll(async () => {
  await op.start();
});
afterAll(async () => {
  await op.stop();
});

const MINUTE = 60_000;

/** A report as the posture runner returns it: the firewall check passes or fails. */
function report(clock: ManualClock, firewall: 'pass' | 'fail'): PostureReport {
  return {
    platform: 'linux',
    checkedAt: new Date(clock.now()).toISOString(),
    checks: [
      {
        id: 'firewall',
        title: 'Firewall',
        status: firewall,
        observed: firewall === 'pass' ? 'input policy drop' : 'no input chain refuses by default',
        expected: 'a firewall that refuses incoming connections by default',
        fix: firewall === 'pass' ? '' : 'Run `sudo ufw enable`.',
        durationMs: 1,
      },
    ],
  };
}

/**
 * The agent's loops on a clock the test moves, against the stand-in OpenID Provider (the session,
 * DPoP and refresh-token rotation are real; the stand-in has no Strongroom API, so attestation
 * and the event stream fail and retry, as they would against a broker that is down).
 */
async function world(firewall: { now: 'pass' | 'fail' }) {
  const clock = new ManualClock(Date.now());
  const host: HostContext = {
    platform: 'linux',
    openBrowser: (url) => {
      void fetch(url, { redirect: 'manual' }).then((r) => fetch(r.headers.get('location') ?? ''));
      return Promise.resolve();
    },
    now: clock.now,
    log: () => undefined,
    notify: () => undefined,
  };
  const store = createMemoryCredentialStore(clock.now);
  const profile = {
    name: 'agent',
    broker: op.issuer,
    clientId: 'strongroom-cli',
    acr: 'urn:strongroom:acr:hwk',
  };
  const session = createSessionController({ host, store, profile });
  op.scenario = { accessTokenTtl: 600 };
  await session.login();
  const notes: AgentNotification[] = [];
  let runs = 0;
  const agent = createAgent({
    profile,
    session,
    broker: session.api,
    vault: store,
    deviceKey: () => loadSoftwareDeviceKey(store, profile.name),
    clock,
    notifier: { show: (n) => notes.push(n) },
    posture: {
      run: () => {
        runs += 1;
        return Promise.resolve(report(clock, firewall.now));
      },
      platformFacts: () => Promise.resolve({ os: 'linux', osVersion: 'test', hostname: 'test' }),
    },
    platform: 'linux',
    version: 'test',
    log: () => undefined,
    options: { notificationWindowMs: 1 },
  });
  /** Moves the clock a minute at a time, letting the agent's work at each step finish. */
  const pass = async (ms: number): Promise<void> => {
    for (let left = ms; left > 0; left -= MINUTE) {
      clock.advance(Math.min(MINUTE, left));
      await agent.idle();
    }
  };
  return { clock, agent, notes, runs: () => runs, session, pass };
}

describe('createAgent loops (manual clock, stand-in provider)', () => {
  let agent: Agent | undefined;
  afterEach(() => agent?.stop());

  it('runs the posture checks at start, every 5 minutes, and on each trigger', async () => {
    const w = await world({ now: 'pass' });
    agent = w.agent;
    await w.agent.start();
    await w.agent.idle();
    expect(w.runs()).toBe(1);
    await w.pass(4 * MINUTE);
    expect(w.runs()).toBe(1);
    await w.pass(MINUTE);
    expect(w.runs()).toBe(2);
    w.agent.trigger('resume');
    await w.agent.idle();
    expect(w.runs()).toBe(3);
    expect(w.agent.state.get().posture).toMatchObject({ status: 'pass', failing: [] });
    // Every check is in the state the clients see, passing ones included.
    expect(w.agent.state.get().posture.checks).toEqual([
      { id: 'firewall', title: 'Firewall', status: 'pass', observed: 'input policy drop', fix: '' },
    ]);
    // The stand-in has no posture API: the attestation failed and says so, nothing else broke.
    expect(w.agent.state.get().posture.attestationError).toMatch(/404/);
    expect(w.agent.state.get().session.status).toBe('signedIn');
  });

  it('refreshes before expiry while posture passes, holds it while posture fails, and refreshes once it passes again', async () => {
    const firewall: { now: 'pass' | 'fail' } = { now: 'pass' };
    const w = await world(firewall);
    agent = w.agent;
    await w.agent.start();
    await w.agent.idle();
    const issued = op.record.issuedRefreshTokens.length;
    // 80% of the 10-minute access token: refreshed in the background.
    await w.pass(8 * MINUTE + 1_000);
    expect(op.record.issuedRefreshTokens.length).toBe(issued + 1);

    // The device regresses: shown at once with the fix, and the next refresh is held.
    firewall.now = 'fail';
    w.agent.trigger('network');
    await w.agent.idle();
    expect(w.notes.find((n) => n.key === 'posture:fail:firewall')).toMatchObject({
      severity: 'warning',
      body: 'Firewall: Run `sudo ufw enable`.',
      actions: [{ kind: 'showPosture' }],
    });
    await w.pass(9 * MINUTE);
    expect(op.record.issuedRefreshTokens.length).toBe(issued + 1);
    await expect(w.agent.call('token', {})).rejects.toMatchObject({ code: 'posture_failing' });

    // Fixed: the next check refreshes at once and tokens flow again.
    firewall.now = 'pass';
    w.agent.trigger('unlock');
    await w.agent.idle();
    expect(op.record.issuedRefreshTokens.length).toBe(issued + 2);
    const token = await w.agent.call('token', {});
    expect(token.accessToken).toBe(op.record.issuedAccessTokens.at(-1));
  });

  it('ends the session and wipes the vault when the provider refuses the refresh', async () => {
    const w = await world({ now: 'pass' });
    agent = w.agent;
    await w.agent.start();
    await w.agent.idle();
    op.scenario = { refreshRevoked: true };
    await w.pass(8 * MINUTE + 1_000);
    expect(w.agent.state.get().session.status).toBe('signedOut');
    expect(w.notes.find((n) => n.key === 'session:ended')).toMatchObject({ actions: [{ kind: 'signIn' }] });
    expect(await w.session.status()).toBeUndefined();
    await expect(w.agent.call('token', {})).rejects.toMatchObject({ code: 'not_signed_in' });
  });
});
