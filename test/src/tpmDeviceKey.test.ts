import { randomBytes } from 'node:crypto';
import { isolatedCliEnv, type IsolatedCliEnv } from '@strongroom/cli/testing/isolatedCliEnv.js';
import { runStrongroom } from '@strongroom/cli/testing/runStrongroom.js';
import { startSwtpm, type Swtpm } from '@strongroom/shared/device/tpm/startSwtpm.test-support.js';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBrowserHandoff, useBrowserHandoff, type BrowserHandoff } from './harness/browserHandoff.js';
import { enrollWithKey, signInWithKey } from './harness/keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './harness/launchBrowser.js';
import { startBroker, type RunningBroker } from './harness/startBroker.js';
import { addVirtualAuthenticator } from './harness/virtualAuthenticator.js';

vi.setConfig({ testTimeout: 120_000, hookTimeout: 120_000 });

interface PostureOut {
  attestation: { deviceId: string; enrollment: string } | null;
  error: { code: string; message: string; hint: string | null } | null;
}
interface DevicesOut {
  devices: Array<{ id: string; current: boolean; status: string; keyProtection: string }>;
}

/**
 * The TPM device key end to end: a real software TPM (swtpm, no resource manager), the real
 * broker, the real CLI signed in through Chromium with a virtual security key, the real keychain.
 * With STRONGROOM_DEVICE_KEY=tpm every DPoP proof (token endpoint, broker API) and the posture
 * report are signed inside the TPM, and the broker accepts them and records `tpm`.
 */
describe('TPM device key end to end (swtpm, real broker, real CLI)', () => {
  let tpm: Swtpm;
  let broker: RunningBroker;
  let browser: LaunchedBrowser;
  let page: Page;
  let handoff: BrowserHandoff;
  let isolated: IsolatedCliEnv;
  const opened: string[] = [];
  const signIns: Array<Promise<void>> = [];
  const cli = async (args: string[], env: NodeJS.ProcessEnv = {}) => {
    const run = await runStrongroom(args, { ...isolated.env, ...env });
    await Promise.all(signIns.splice(0));
    return run;
  };

  beforeAll(async () => {
    tpm = await startSwtpm();
    // Access tokens of 30 s: `strongroom token` refreshes after 24 s, so the refresh grant is tested too.
    broker = await startBroker({ args: ['--demo', '--access-token-ttl', '30'] });
    browser = await launchBrowser();
    page = await browser.newPage();
    await addVirtualAuthenticator(page);
    await enrollWithKey(page, broker.enrollmentLink ?? '');
    handoff = await startBrowserHandoff((url) => {
      opened.push(url);
      signIns.push(signInWithKey(page, url));
    });
    isolated = isolatedCliEnv({
      STRONGROOM_DEVICE_KEY: 'tpm',
      TPM2TOOLS_TCTI: tpm.tcti,
    });
    useBrowserHandoff(isolated, handoff.url);
    isolated.env['STRONGROOM_PROFILE'] = `tpm-${randomBytes(5).toString('hex')}`;
    expect((await cli(['config', 'set-broker', broker.issuer])).code).toBe(0);
  });
  afterAll(async () => {
    // Logging out deletes the TPM key's blobs from the keychain (the TPM itself goes with swtpm).
    if (isolated) await runStrongroom(['logout', '--forget-device'], isolated.env);
    isolated?.remove();
    handoff?.close();
    await Promise.all([browser?.close(), broker?.stop(), tpm?.stop()]);
  });

  it('forcing tpm where there is none, or a bad TCTI, is refused before the browser opens', async () => {
    const none = await cli(['login'], { TPM2TOOLS_TCTI: 'device:/dev/strongroom-no-such-tpm' });
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no TPM device at /dev/strongroom-no-such-tpm');
    const bad = await cli(['login'], { TPM2TOOLS_TCTI: 'device:/dev/tpmrm0;touch /tmp/x' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/is not a TPM TCTI/);
    expect(opened).toEqual([]);
    expect((await cli(['status', '--json'])).stdout).not.toContain('"protection"');
  });

  it('login, enrollment, broker calls and a posture report, all signed by the TPM key; the broker records tpm', async () => {
    // Token endpoint with a DPoP proof signed in the TPM (RFC 9449 §5), then enrollment over the API.
    const login = await cli(['login']);
    const signedInAt = Date.now();
    expect(login.code, login.stderr).toBe(0);
    const firstToken = (await cli(['token'])).stdout.trim();
    expect(firstToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$|^[\w-]{20,}$/);
    expect(login.stdout).toMatch(/This device is now enrolled with the broker\./);
    const status = JSON.parse((await cli(['status', '--json'])).stdout) as {
      deviceKey: { protection: string; thumbprint: string };
    };
    expect(status.deviceKey.protection).toBe('tpm');

    const posture = JSON.parse((await cli(['posture', '--json'])).stdout) as PostureOut;
    expect(posture.error).toBeNull();
    expect(posture.attestation?.enrollment).toBe('existing');

    const devices = await cli(['devices', '--json']);
    expect(devices.code, devices.stderr).toBe(0);
    expect((JSON.parse(devices.stdout) as DevicesOut).devices).toEqual([
      expect.objectContaining({
        id: posture.attestation?.deviceId,
        current: true,
        status: 'active',
        keyProtection: 'tpm',
      }),
    ]);

    // The refresh grant (RFC 9449 §5: the refresh token is bound to the key) with a TPM-signed
    // proof, then a broker call with the new token.
    await new Promise((r) => setTimeout(r, Math.max(0, signedInAt + 25_000 - Date.now())));
    const refreshed = await cli(['token']);
    expect(refreshed.code, refreshed.stderr).toBe(0);
    expect(refreshed.stdout.trim()).not.toBe(firstToken);
    expect((await cli(['devices', '--json'])).code).toBe(0);
  });

  it('after a TPM clear the key is lost: a clear error, and the re-enrollment flow gives a new TPM key', async () => {
    const before = JSON.parse((await cli(['status', '--json'])).stdout) as {
      deviceKey: { thumbprint: string };
    };
    await tpm.wipe();
    const lost = await cli(['posture', '--json']);
    expect(lost.code).toBe(1);
    const out = JSON.parse(lost.stdout) as PostureOut;
    expect(out.error).toMatchObject({ code: 'device_key_lost' });
    expect(out.error?.hint).toContain('strongroom logout --forget-device');

    expect((await cli(['logout', '--forget-device'])).code).toBe(0);
    const again = await cli(['login']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(
      /This device was enrolled again with a new key \(replacing 1 older one\(s\)\)\./,
    );
    const after = JSON.parse((await cli(['status', '--json'])).stdout) as {
      deviceKey: { protection: string; thumbprint: string };
    };
    expect(after.deviceKey.protection).toBe('tpm');
    expect(after.deviceKey.thumbprint).not.toBe(before.deviceKey.thumbprint);
    const posture = JSON.parse((await cli(['posture', '--json'])).stdout) as PostureOut;
    expect(posture.error).toBeNull();
    const devices = (JSON.parse((await cli(['devices', '--json'])).stdout) as DevicesOut).devices;
    expect(devices.filter((d) => d.current)).toEqual([
      expect.objectContaining({ status: 'active', keyProtection: 'tpm' }),
    ]);
  });
});
