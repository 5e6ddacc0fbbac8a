import { randomBytes } from 'node:crypto';
import { isolatedCliEnv, type IsolatedCliEnv } from '@strongroom/cli/testing/isolatedCliEnv.js';
import { runStrongroom } from '@strongroom/cli/testing/runStrongroom.js';
import { createNodePostureHost } from '@strongroom/shared/posture/nodeHost.js';
import { runPostureChecks } from '@strongroom/shared/posture/runPostureChecks.js';
import { postureCheckIds } from '@strongroom/shared/posture/PostureCheckId.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBrowserHandoff, useBrowserHandoff, type BrowserHandoff } from './harness/browserHandoff.js';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './harness/launchBrowser.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { addVirtualAuthenticator } from './harness/virtualAuthenticator.js';

// Real browser and broker processes on a shared 2-core machine: generous, not wall-clock assertions.
vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

/**
 * Issue 4 end to end: the real broker, a CLI signed in through Chromium with a virtual security
 * key, the real keychain. `strongroom login` enrolls the device; `strongroom posture --json` runs
 * the real checks on this machine and sends a report signed by the device key; the broker then
 * lists the device with that posture (`strongroom devices --json`, answered by the broker).
 */
describe('device posture end to end (real broker, real checks, signed attestation)', () => {
  let broker: RunningBroker;
  let browser: LaunchedBrowser;
  let page: Page;
  let handoff: BrowserHandoff;
  let isolated: IsolatedCliEnv;
  const signIns: Array<Promise<void>> = [];

  beforeAll(async () => {
    broker = await startBroker({ args: ['--demo'] });
    browser = await launchBrowser();
    page = await browser.newPage();
    await addVirtualAuthenticator(page);
    await enrollWithKey(page, broker.enrollmentLink ?? '');
    handoff = await startBrowserHandoff((url) => signIns.push(signInWithKey(page, url)));
    isolated = isolatedCliEnv();
    useBrowserHandoff(isolated, handoff.url);
    isolated.env['STRONGROOM_PROFILE'] = `posture-${randomBytes(5).toString('hex')}`;
    expect((await runStrongroom(['config', 'set-broker', broker.issuer], isolated.env)).code).toBe(0);
  });
  afterAll(async () => {
    if (isolated) await runStrongroom(['logout', '--forget-device'], isolated.env);
    isolated?.remove();
    handoff?.close();
    await browser?.close();
    await broker?.stop();
  });

  it('posture before sign-in runs the checks and attests nothing', async () => {
    const run = await runStrongroom(['posture', '--json'], isolated.env);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as {
      signedIn: boolean;
      attestation: unknown;
      report: { checks: unknown[] };
    };
    expect(out.signedIn).toBe(false);
    expect(out.attestation).toBeNull();
    expect(out.report.checks).toHaveLength(postureCheckIds.length);
  });

  it('login enrolls the device; posture --json shows real results and the broker keeps them', async () => {
    const login = await runStrongroom(['login'], isolated.env);
    await Promise.all(signIns);
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toMatch(/This device is now enrolled with the broker\./);

    const run = await runStrongroom(['posture', '--json'], isolated.env);
    expect(run.code, run.stderr).toBe(0);
    const out = JSON.parse(run.stdout) as {
      signedIn: boolean;
      report: {
        platform: string;
        checks: Array<{ id: string; status: string; observed: string; fix: string }>;
      };
      attestation: {
        deviceId: string;
        compliant: boolean;
        checks: Record<string, string>;
        enrollment: string;
      };
      error: unknown;
    };
    expect(out.error).toBeNull();
    expect(out.signedIn).toBe(true);
    expect(out.report.platform).toBe(process.platform);
    // Every check answered, honestly: a status, what was seen, and a fix for what did not pass.
    expect(out.report.checks.map((c) => c.id)).toEqual([...postureCheckIds]);
    for (const check of out.report.checks) {
      expect(['pass', 'fail', 'unknown']).toContain(check.status);
      expect(check.observed.length).toBeGreaterThan(0);
      if (check.status !== 'pass') expect(check.fix.length).toBeGreaterThan(0);
    }
    // The same machine, asked directly, reads the same facts (a check that timed out under load in
    // one run may be `unknown` in the other; an invented pass would show up as pass vs fail).
    const local = await runPostureChecks(createNodePostureHost());
    for (const check of local.checks) {
      const sent = out.report.checks.find((c) => c.id === check.id)?.status;
      if (sent !== 'unknown' && check.status !== 'unknown')
        expect([check.id, sent]).toEqual([check.id, check.status]);
    }
    expect(out.attestation.enrollment).toBe('existing');
    expect(out.attestation.checks).toEqual(
      Object.fromEntries(out.report.checks.map((c) => [c.id, c.status])),
    );
    expect(out.attestation.compliant).toBe(out.report.checks.every((c) => c.status !== 'fail'));

    const human = await runStrongroom(['posture'], isolated.env);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^CHECK +STATUS +OBSERVED$/m);
    expect(human.stdout).toMatch(
      new RegExp(`Attested to ${broker.issuer}: device ${out.attestation.deviceId} is`),
    );

    const devices = await runStrongroom(['devices', '--json'], isolated.env);
    expect(devices.code, devices.stderr).toBe(0);
    const list = JSON.parse(devices.stdout) as {
      devices: Array<{
        id: string;
        current: boolean;
        status: string;
        os: string;
        keyProtection: string;
        posture: { compliant: boolean; checks: Array<{ id: string; status: string }> } | null;
      }>;
    };
    expect(list.devices).toHaveLength(1);
    const [device] = list.devices;
    expect(device).toMatchObject({
      id: out.attestation.deviceId,
      current: true,
      status: 'active',
      os: process.platform,
      keyProtection: 'software',
    });
    expect(device?.posture?.checks.map((c) => [c.id, c.status])).toEqual(
      out.report.checks.map((c) => [c.id, c.status]),
    );
    const table = await runStrongroom(['devices'], isolated.env);
    expect(table.stdout).toMatch(/^\* .+ active +software/m);
  });
});
