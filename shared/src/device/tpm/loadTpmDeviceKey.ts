import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { StrongroomError } from '../../errors/StrongroomError.js';
import type { DeviceKey, DevicePublicJwk } from '../DeviceKey.js';
import { jwkThumbprint } from '../jwkThumbprint.js';
import { derToJoseSignature } from './derToJoseSignature.js';
import { runTpmSequence, tpm2Failure } from './runTpm2.js';
import { createPrimaryStep, type TpmKeyBlobs } from './tpmKeyBlobs.js';
import { withTpmWorkDir } from './withTpmWorkDir.js';

export const REENROLL_HINT =
  'Run `strongroom logout --forget-device`, then `strongroom login`: a new device key is made and the broker re-enrolls this device (your administrator may need to approve it).';

/** The TPM answered, but refused this key: it was made by another TPM or before a TPM clear. */
function keyLost(cause: unknown): StrongroomError {
  return new StrongroomError(
    'device_key_lost',
    "This device's TPM key no longer loads: the TPM was cleared or replaced, or the key came from another machine.",
    { cause, hint: REENROLL_HINT },
  );
}

/** A key loaded in the TPM: its public key and its saved context (TPM-encrypted, valid until a TPM reset). */
interface Loaded {
  readonly spki: Buffer;
  readonly context: Buffer;
}

/** Loads the blobs under a fresh primary and saves the loaded key's context. */
async function loadIntoTpm(tcti: string, blobs: TpmKeyBlobs): Promise<Loaded> {
  return withTpmWorkDir(async (file) => {
    await writeFile(file('key.pub'), blobs.public, { mode: 0o600 });
    await writeFile(file('key.priv'), blobs.private, { mode: 0o600 });
    try {
      await runTpmSequence(tcti, [
        createPrimaryStep(file('primary.ctx')),
        {
          tool: 'tpm2_load',
          args: [
            '-C',
            file('primary.ctx'),
            '-u',
            file('key.pub'),
            '-r',
            file('key.priv'),
            '-c',
            file('key.ctx'),
            '-Q',
          ],
        },
        { tool: 'tpm2_readpublic', args: ['-c', file('key.ctx'), '-f', 'der', '-o', file('key.der'), '-Q'] },
      ]);
    } catch (error) {
      // tpm2_load reached the TPM and the TPM refused these blobs: a format-1 response code (TPM 2.0
      // Part 2 §6.6), e.g. TPM_RC_INTEGRITY under a new owner seed. Warnings (busy, lockout, out of
      // memory) are not a lost key: they stay device_key_unavailable.
      const failure = tpm2Failure(error);
      const rc =
        failure?.tool === 'tpm2_load' ? /Load\(0x([0-9a-f]+)\)/i.exec(failure.stderr)?.[1] : undefined;
      if (rc !== undefined && (parseInt(rc, 16) & 0x080) !== 0) throw keyLost(error);
      throw error;
    }
    return { spki: await readFile(file('key.der')), context: await readFile(file('key.ctx')) };
  });
}

/** ECDSA P-256 over `digest` by the loaded key, as JWS wants it. */
async function signInTpm(tcti: string, loaded: Loaded, digest: Buffer): Promise<Uint8Array> {
  return withTpmWorkDir(async (file) => {
    await writeFile(file('key.ctx'), loaded.context, { mode: 0o600 });
    // Into a file: Node's child stdio is a socket, which tpm2-tools cannot open as /dev/stdout.
    await runTpmSequence(tcti, [
      {
        tool: 'tpm2_sign',
        args: [
          '-c',
          file('key.ctx'),
          '-g',
          'sha256',
          '-s',
          'ecdsa',
          '-f',
          'plain',
          '-d',
          '-o',
          file('sig.der'),
        ],
        input: digest,
      },
    ]);
    return derToJoseSignature(await readFile(file('sig.der')));
  });
}

function publicJwkOf(key: KeyObject): DevicePublicJwk {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string')
    throw new StrongroomError('internal', 'The TPM key is not a P-256 key.', { hint: REENROLL_HINT });
  return Object.freeze({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
}

/**
 * A device key whose private half lives in the TPM (tpm2-tools over `tcti`). Loading checks the
 * blobs still load on this TPM (else `device_key_lost`); the loaded key's saved context is kept in
 * memory for this process. Each signature is checked against the public key before it is used,
 * and a context the TPM no longer accepts (TPM restart) is reloaded once from the blobs.
 */
export async function loadTpmDeviceKey(tcti: string, blobs: TpmKeyBlobs): Promise<DeviceKey> {
  let loaded = await loadIntoTpm(tcti, blobs);
  const publicKey = createPublicKey({ key: loaded.spki, format: 'der', type: 'spki' });
  const publicJwk = publicJwkOf(publicKey);
  return Object.freeze({
    protection: 'tpm',
    publicJwk,
    thumbprint: jwkThumbprint(publicJwk),
    async sign(data: Uint8Array): Promise<Uint8Array> {
      // The digest is computed here and signed by the TPM (`-d`): no size limit from TPM2_Hash.
      const digest = createHash('sha256').update(data).digest();
      let signature: Uint8Array;
      try {
        signature = await signInTpm(tcti, loaded, digest);
      } catch (error) {
        if (!(error instanceof StrongroomError) || error.code !== 'device_key_unavailable') throw error;
        loaded = await loadIntoTpm(tcti, blobs);
        signature = await signInTpm(tcti, loaded, digest);
      }
      if (!verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature))
        throw new StrongroomError('internal', 'The TPM signature does not verify with the device key.', {
          hint: REENROLL_HINT,
        });
      return signature;
    },
  });
}
