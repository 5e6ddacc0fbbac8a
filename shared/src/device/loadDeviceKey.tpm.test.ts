import { createPublicKey, verify } from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrongroomError } from '../errors/StrongroomError.js';
import { signPostureReport } from '../posture-attestation/signPostureReport.js';
import { createMemoryCredentialStore } from '../vault/createMemoryCredentialStore.js';
import type { DeviceKeySettings } from './deviceKeySettings.js';
import { loadDeviceKey, TPM_KEY_ENTRY } from './loadDeviceKey.js';
import { deviceKeyNamespace, loadSoftwareDeviceKey } from './loadSoftwareDeviceKey.js';
import { loadTpmDeviceKey } from './tpm/loadTpmDeviceKey.js';
import { runTpmSequence } from './tpm/runTpm2.js';
import { startSwtpm, type Swtpm } from './tpm/startSwtpm.test-support.js';

const refusal = async (work: Promise<unknown>): Promise<StrongroomError> => {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StrongroomError);
  return error as StrongroomError;
};

const storedBlobs = async (store: ReturnType<typeof createMemoryCredentialStore>) => {
  const entry = JSON.parse((await store.get(deviceKeyNamespace('p'), TPM_KEY_ENTRY)) ?? '{}') as {
    public: string;
    private: string;
  };
  return { public: Buffer.from(entry.public, 'base64'), private: Buffer.from(entry.private, 'base64') };
};

describe('TPM device key against a real software TPM (swtpm)', () => {
  let tpm: Swtpm;
  let settings: DeviceKeySettings;
  beforeAll(async () => {
    tpm = await startSwtpm();
    settings = { platform: 'linux', choice: 'auto', tcti: tpm.tcti };
  });
  afterAll(async () => tpm.stop());

  it('a new device on a machine with a TPM gets a TPM key: only TPM-wrapped blobs in the vault', async () => {
    const store = createMemoryCredentialStore();
    const key = await loadDeviceKey(store, 'p', settings);
    expect(key.protection).toBe('tpm');
    expect('keyPair' in key).toBe(false);
    expect(await store.list(deviceKeyNamespace('p'))).toEqual([TPM_KEY_ENTRY]);
    const entry = JSON.parse((await store.get(deviceKeyNamespace('p'), TPM_KEY_ENTRY)) ?? '') as Record<
      string,
      unknown
    >;
    expect(Object.keys(entry).sort()).toEqual(['private', 'public', 'tcti', 'v']);
    // The same key on the next call, and after a "restart" (loaded afresh from the stored blobs).
    expect((await loadDeviceKey(store, 'p', settings)).thumbprint).toBe(key.thumbprint);
    const reloaded = await loadTpmDeviceKey(tpm.tcti, await storedBlobs(store));
    expect(reloaded.thumbprint).toBe(key.thumbprint);
    const data = new TextEncoder().encode('after restart');
    const publicKey = createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' });
    expect(
      verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, await reloaded.sign(data)),
    ).toBe(true);
  });

  it('signs JWS that jose verifies under the public JWK, many times on a TPM without a resource manager', async () => {
    const key = await loadDeviceKey(createMemoryCredentialStore(), 'p', settings);
    const jwk = await importJWK({ ...key.publicJwk }, 'ES256');
    // A TPM has ~3 object slots: without flushing, the fourth load would fail.
    for (let i = 0; i < 8; i++) {
      const payload = { deviceId: 'd', nonce: `n${i}`, iat: 1, checks: [], agentVersion: 'x'.repeat(5000) };
      const jws = await signPostureReport(key, payload as never);
      const { payload: verified } = await compactVerify(jws, jwk);
      expect(JSON.parse(new TextDecoder().decode(verified))).toMatchObject({ nonce: `n${i}` });
    }
    // Concurrent signatures in one process take turns at the TPM (a flush never hits another's key).
    const data = new TextEncoder().encode('concurrent');
    const publicKey = createPublicKey({ key: { ...key.publicJwk }, format: 'jwk' });
    for (const signature of await Promise.all(Array.from({ length: 6 }, () => key.sign(data))))
      expect(verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature)).toBe(true);
    const tampered = await signPostureReport(key, { nonce: 'a' } as never);
    await expect(compactVerify(tampered.replace(/\.[^.]+\./, '.e30.'), jwk)).rejects.toThrow();
  });

  it('a device whose key is software keeps it, even where a TPM is usable; forcing tpm over it is refused', async () => {
    const store = createMemoryCredentialStore();
    const software = await loadSoftwareDeviceKey(store, 'p');
    expect((await loadDeviceKey(store, 'p', settings)).thumbprint).toBe(software.thumbprint);
    const error = await refusal(loadDeviceKey(store, 'p', { ...settings, choice: 'tpm' }));
    expect(error.code).toBe('config_invalid');
    expect(error.hint).toContain('strongroom logout --forget-device');
  });

  it('after a TPM clear (state wiped) the key is lost: a clear error that leads to re-enrollment', async () => {
    const store = createMemoryCredentialStore();
    const key = await loadDeviceKey(store, 'p', settings);
    await tpm.wipe();
    // A process that loads the key afresh, and one that had it loaded: both say the key is gone.
    const fresh = await refusal(loadTpmDeviceKey(tpm.tcti, await storedBlobs(store)));
    expect(fresh.code).toBe('device_key_lost');
    expect(fresh.hint).toContain('strongroom logout --forget-device');
    const loaded = await refusal(key.sign(new Uint8Array([1])));
    expect(loaded.code).toBe('device_key_lost');
    // Nothing was changed: the blobs stay until the user re-enrolls.
    expect(await store.list(deviceKeyNamespace('p'))).toEqual([TPM_KEY_ENTRY]);
  });

  it('tampered or unreadable stored blobs: device_key_lost, and the vault is left as it was', async () => {
    const store = createMemoryCredentialStore();
    await loadDeviceKey(store, 'p', settings);
    const namespace = deviceKeyNamespace('p');
    const entry = JSON.parse((await store.get(namespace, TPM_KEY_ENTRY)) ?? '') as Record<string, string>;
    const priv = Buffer.from(entry['private'] ?? '', 'base64');
    priv[priv.length - 5] = (priv[priv.length - 5] ?? 0) ^ 0xff;
    for (const stored of [
      JSON.stringify({ ...entry, private: priv.toString('base64') }),
      '{"v":1}',
      'not json',
    ]) {
      await store.set(namespace, TPM_KEY_ENTRY, stored, null);
      const error = await refusal(loadDeviceKey(store, 'p', settings));
      expect([stored.slice(0, 10), error.code]).toEqual([stored.slice(0, 10), 'device_key_lost']);
      expect(await store.get(namespace, TPM_KEY_ENTRY)).toBe(stored);
    }
  });

  it('a TPM whose owner hierarchy has a password: refused with that reason, nothing stored', async () => {
    const own = await startSwtpm();
    try {
      await runTpmSequence(own.tcti, [{ tool: 'tpm2_changeauth', args: ['-c', 'o', 'owner-secret'] }]);
      const store = createMemoryCredentialStore();
      const error = await refusal(loadDeviceKey(store, 'p', { ...settings, tcti: own.tcti }));
      expect(error.code).toBe('device_key_unavailable');
      expect(error.hint).toContain('owner hierarchy has a password');
      expect(error.message).not.toContain('owner-secret');
      expect(await store.list(deviceKeyNamespace('p'))).toEqual([]);
    } finally {
      await own.stop();
    }
  });

  it('a configured TCTI that does not answer is refused, never replaced by a software key', async () => {
    const store = createMemoryCredentialStore();
    const error = await refusal(
      loadDeviceKey(store, 'p', { ...settings, tcti: 'swtpm:host=127.0.0.1,port=1' }),
    );
    expect(error.code).toBe('device_key_unavailable');
    expect(error.message).toContain('swtpm:host=127.0.0.1,port=1');
    expect(await store.list(deviceKeyNamespace('p'))).toEqual([]);
  });
});
