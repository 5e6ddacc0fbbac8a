import { execFile } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StrongroomError } from '../errors/StrongroomError.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import { deviceKeySettingsFrom, type DeviceKeySettings } from './deviceKeySettings.js';
import { loadDeviceKey } from './loadDeviceKey.js';
import { deviceKeyNamespace } from './loadSoftwareDeviceKey.js';
import { selectDeviceKeyKind } from './selectDeviceKeyKind.js';
import { probeTpm } from './tpm/probeTpm.js';

const settings = (overrides: Partial<DeviceKeySettings>): DeviceKeySettings => ({
  platform: 'linux',
  choice: 'auto',
  tcti: undefined,
  ...overrides,
});
const noTpm = async (): Promise<void> => {
  throw new StrongroomError('device_key_unavailable', 'This machine has no TPM device at /dev/tpmrm0.');
};
const aTpm = async (): Promise<void> => undefined;
const failure = (work: Promise<unknown>) =>
  work.then(
    () => undefined,
    (e: unknown) => e as StrongroomError,
  );

describe('selectDeviceKeyKind', () => {
  it('linux: a usable TPM is used; without one, auto falls back to software and says why', async () => {
    expect(await selectDeviceKeyKind(settings({}), aTpm)).toEqual({
      kind: 'tpm',
      tcti: 'device:/dev/tpmrm0',
    });
    expect(await selectDeviceKeyKind(settings({}), noTpm)).toEqual({
      kind: 'software',
      reason: 'This machine has no TPM device at /dev/tpmrm0.',
    });
    expect(await selectDeviceKeyKind(settings({ choice: 'software' }), aTpm)).toMatchObject({
      kind: 'software',
    });
  });

  it('forcing tpm without a usable TPM, or a configured TCTI that fails, is an error', async () => {
    expect((await failure(selectDeviceKeyKind(settings({ choice: 'tpm' }), noTpm)))?.code).toBe(
      'device_key_unavailable',
    );
    expect((await failure(selectDeviceKeyKind(settings({ tcti: 'tabrmd' }), noTpm)))?.code).toBe(
      'device_key_unavailable',
    );
  });

  it.each(['darwin', 'win32', 'freebsd'] as const)(
    '%s: software (no native helper yet), and forcing tpm is refused',
    async (platform) => {
      // The probe would say yes: the platform switch decides before any TPM is asked.
      const chosen = await selectDeviceKeyKind(settings({ platform }), aTpm);
      expect(chosen).toMatchObject({ kind: 'software' });
      expect(chosen.kind === 'software' && chosen.reason).toMatch(
        /native (\(CNG\) )?helper|no hardware key support/,
      );
      const error = await failure(selectDeviceKeyKind(settings({ platform, choice: 'tpm' }), aTpm));
      expect(error?.code).toBe('device_key_unavailable');
    },
  );

  it('forcing tpm on a machine without a TPM writes no key at all', async () => {
    const store = createMemoryCredentialStore();
    const error = await failure(
      loadDeviceKey(store, 'p', settings({ choice: 'tpm', tcti: 'device:/dev/strongroom-no-such-tpm' })),
    );
    expect(error?.code).toBe('device_key_unavailable');
    expect(error?.message).toContain('/dev/strongroom-no-such-tpm');
    expect(await store.list(deviceKeyNamespace('p'))).toEqual([]);
  });
});

describe('deviceKeySettingsFrom', () => {
  it('reads STRONGROOM_DEVICE_KEY and TPM2TOOLS_TCTI; refuses bad values instead of guessing', () => {
    expect(deviceKeySettingsFrom({}, 'linux')).toEqual({
      platform: 'linux',
      choice: 'auto',
      tcti: undefined,
    });
    expect(
      deviceKeySettingsFrom(
        { STRONGROOM_DEVICE_KEY: 'tpm', TPM2TOOLS_TCTI: 'swtpm:host=127.0.0.1,port=2321' },
        'linux',
      ),
    ).toEqual({
      platform: 'linux',
      choice: 'tpm',
      tcti: 'swtpm:host=127.0.0.1,port=2321',
    });
    for (const env of [
      { STRONGROOM_DEVICE_KEY: 'hardware' },
      { TPM2TOOLS_TCTI: 'bogus' },
      { TPM2TOOLS_TCTI: 'device:/dev/tpm0;rm -rf /' },
      { TPM2TOOLS_TCTI: 'device:/dev/tpm0 x' },
    ])
      expect(() => deviceKeySettingsFrom(env, 'linux'), JSON.stringify(env)).toThrow(
        expect.objectContaining({ code: 'config_invalid' }),
      );
  });
});

describe('probeTpm', () => {
  it('names what is missing: no device node; tpm2-tools not installed', async () => {
    const noDevice = await failure(probeTpm('device:/dev/strongroom-no-such-tpm'));
    expect(noDevice?.code).toBe('device_key_unavailable');
    expect(noDevice?.hint).toContain('STRONGROOM_DEVICE_KEY=software');
    const path = process.env['PATH'];
    process.env['PATH'] = '/strongroom-nothing-here';
    try {
      const noTools = await failure(probeTpm('swtpm:host=127.0.0.1,port=1'));
      expect(noTools?.code).toBe('device_key_unavailable');
      expect(noTools?.hint).toContain('apt install tpm2-tools');
    } finally {
      process.env['PATH'] = path;
    }
  });

  it('a device node this user may not open: says to join the tss group', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'strongroom-tpmnode-'));
    const node = join(dir, 'tpmrm0');
    await writeFile(node, '', { mode: 0o600 });
    try {
      if (process.getuid?.() !== 0) {
        await chmod(node, 0o000);
        const error = await failure(probeTpm(`device:${node}`));
        expect(error?.hint).toContain('tss group');
        return;
      }
      // Root opens anything: ask as nobody, through the built module, what a plain user is told.
      await chmod(dir, 0o755);
      const module = pathToFileURL(
        fileURLToPath(new URL('../../dist/device/tpm/probeTpm.js', import.meta.url)),
      ).href;
      const script = `import('${module}').then((m) => m.probeTpm('device:${node}')).then(() => console.log('{}'), (e) => console.log(JSON.stringify({ code: e.code, hint: e.hint })))`;
      const out = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, ['-e', script], { uid: 65534, gid: 65534 }, (e, stdout) =>
          e ? reject(e) : resolve(stdout),
        ),
      );
      expect(JSON.parse(out)).toMatchObject({
        code: 'device_key_unavailable',
        hint: expect.stringContaining('tss group'),
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
