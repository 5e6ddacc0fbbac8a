import { createHash } from 'node:crypto';
import { z } from 'zod';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { DeviceKey } from './DeviceKey.js';
import { processDeviceKeySettings, type DeviceKeySettings } from './deviceKeySettings.js';
import {
  deviceKeyNamespace,
  loadSoftwareDeviceKey,
  SOFTWARE_KEY_ENTRY,
  softwareDeviceKeyFrom,
} from './loadSoftwareDeviceKey.js';
import { selectDeviceKeyKind } from './selectDeviceKeyKind.js';
import { loadTpmDeviceKey, REENROLL_HINT } from './tpm/loadTpmDeviceKey.js';
import { createTpmKeyBlobs } from './tpm/tpmKeyBlobs.js';
import { parseTcti } from './tpm/tpmTcti.js';

/** The vault entry (in deviceKeyNamespace) for a TPM key: its TPM-wrapped blobs and where the TPM is. */
export const TPM_KEY_ENTRY = 'tpm_key';

const storedTpmKey = z.strictObject({
  v: z.literal(1),
  tcti: z.string(),
  public: z.base64(),
  private: z.base64(),
});

// Loading a TPM key costs a primary-key derivation and a load: once per process and key.
const loadedTpmKeys = new Map<string, Promise<DeviceKey>>();

function loadTpmOnce(tcti: string, blobs: { public: Buffer; private: Buffer }): Promise<DeviceKey> {
  const id = createHash('sha256').update(tcti).update(blobs.public).update(blobs.private).digest('hex');
  let loading = loadedTpmKeys.get(id);
  if (loading === undefined) {
    loading = loadTpmDeviceKey(tcti, blobs);
    loadedTpmKeys.set(id, loading);
    loading.catch(() => loadedTpmKeys.delete(id));
  }
  return loading;
}

function conflict(stored: string, asked: string): StrongroomError {
  return new StrongroomError(
    'config_invalid',
    `This device's key is a ${stored} key (fixed when the device was enrolled), but STRONGROOM_DEVICE_KEY=${asked}.`,
    { hint: `Unset STRONGROOM_DEVICE_KEY, or to change the key: ${REENROLL_HINT}` },
  );
}

/**
 * The profile's device key, whatever protects it. A device's kind of key is fixed when it is made
 * (at first sign-in, then enrolled): a stored key is used as it is, so devices enrolled with a
 * software key keep it. Only a new device chooses, by selectDeviceKeyKind.
 */
export async function loadDeviceKey(
  store: CredentialStore,
  profile: string,
  settings: DeviceKeySettings = processDeviceKeySettings(),
): Promise<DeviceKey> {
  const namespace = deviceKeyNamespace(profile);
  const software = await store.get(namespace, SOFTWARE_KEY_ENTRY);
  if (software !== undefined) {
    if (settings.choice === 'tpm') throw conflict('software', 'tpm');
    return softwareDeviceKeyFrom(software);
  }
  const tpm = await store.get(namespace, TPM_KEY_ENTRY);
  if (tpm !== undefined) {
    if (settings.choice === 'software') throw conflict('TPM', 'software');
    let parsed: z.infer<typeof storedTpmKey>;
    try {
      parsed = storedTpmKey.parse(JSON.parse(tpm));
    } catch (error) {
      throw new StrongroomError('device_key_lost', 'The stored TPM device key is unreadable.', {
        cause: error,
        hint: REENROLL_HINT,
      });
    }
    // The TCTI it was made with, unless this environment says where the TPM is now.
    return loadTpmOnce(settings.tcti ?? parseTcti(parsed.tcti), {
      public: Buffer.from(parsed.public, 'base64'),
      private: Buffer.from(parsed.private, 'base64'),
    });
  }
  const selected = await selectDeviceKeyKind(settings);
  if (selected.kind === 'software') return loadSoftwareDeviceKey(store, profile);
  const blobs = await createTpmKeyBlobs(selected.tcti);
  const key = await loadTpmOnce(selected.tcti, {
    public: Buffer.from(blobs.public),
    private: Buffer.from(blobs.private),
  });
  const entry = {
    v: 1,
    tcti: selected.tcti,
    public: Buffer.from(blobs.public).toString('base64'),
    private: Buffer.from(blobs.private).toString('base64'),
  };
  await store.set(namespace, TPM_KEY_ENTRY, JSON.stringify(entry), null);
  return key;
}
