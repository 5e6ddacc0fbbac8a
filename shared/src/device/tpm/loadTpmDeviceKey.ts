import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StrongroomError } from '../../errors/StrongroomError.js';
import type { DeviceKey, DevicePublicJwk } from '../DeviceKey.js';
import { jwkThumbprint } from '../jwkThumbprint.js';
import { derToJoseSignature } from './derToJoseSignature.js';
import { runTpmSequence, tpm2Failure } from './runTpm2.js';
import { createPrimaryStep, type TpmKeyBlobs } from './tpmKeyBlobs.js';

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

/** The loaded key's working files, removed when the process exits (a saved context is TPM-bound too). */
async function workDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'strongroom-tpm-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Loads the blobs under a fresh primary and saves the loaded key's context; returns its SPKI DER. */
async function loadIntoTpm(tcti: string, blobs: TpmKeyBlobs, dir: string): Promise<Buffer> {
  const [primary, pub, priv, ctx, der] = ['primary.ctx', 'key.pub', 'key.priv', 'key.ctx', 'key.der'].map(
    (f) => join(dir, f),
  ) as [string, string, string, string, string];
  await writeFile(pub, blobs.public, { mode: 0o600 });
  await writeFile(priv, blobs.private, { mode: 0o600 });
  try {
    await runTpmSequence(tcti, [
      createPrimaryStep(primary),
      { tool: 'tpm2_load', args: ['-C', primary, '-u', pub, '-r', priv, '-c', ctx, '-Q'] },
      { tool: 'tpm2_readpublic', args: ['-c', ctx, '-f', 'der', '-o', der, '-Q'] },
    ]);
  } catch (error) {
    // tpm2_load reached the TPM and the TPM refused these blobs: a format-1 response code (TPM 2.0
    // Part 2 §6.6), e.g. TPM_RC_INTEGRITY under a new owner seed. Warnings (busy, lockout, out of
    // memory) are not a lost key: they stay device_key_unavailable.
    const failure = tpm2Failure(error);
    const rc = failure?.tool === 'tpm2_load' ? /Load\(0x([0-9a-f]+)\)/i.exec(failure.stderr)?.[1] : undefined;
    if (rc !== undefined && (parseInt(rc, 16) & 0x080) !== 0) throw keyLost(error);
    throw error;
  }
  return readFile(der);
}

function publicJwkOf(key: KeyObject): DevicePublicJwk {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.x !== 'string' || typeof jwk.y !== 'string')
    throw new StrongroomError('internal', 'The TPM key is not a P-256 key.', { hint: REENROLL_HINT });
  return Object.freeze({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
}

/**
 * A device key whose private half lives in the TPM (tpm2-tools over `tcti`). Loading checks the
 * blobs still load on this TPM (else `device_key_lost`); the loaded context is kept in a private
 * temporary directory for this process. Each signature is checked against the public key before
 * it is used, and a context the TPM no longer accepts (TPM restart) is reloaded once from the blobs.
 */
export async function loadTpmDeviceKey(tcti: string, blobs: TpmKeyBlobs): Promise<DeviceKey> {
  const dir = await workDir();
  const spki = await loadIntoTpm(tcti, blobs, dir).catch(async (error: unknown) => {
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const publicKey = createPublicKey({ key: spki, format: 'der', type: 'spki' });
  const publicJwk = publicJwkOf(publicKey);
  const signOnce = async (digest: Buffer): Promise<Uint8Array> => {
    // Into a file: Node's child stdio is a socket, which tpm2-tools cannot open as /dev/stdout.
    // This process's TPM calls run one at a time (runTpmSequence), so one file per key is enough.
    const out = join(dir, 'sig.der');
    await runTpmSequence(tcti, [
      {
        tool: 'tpm2_sign',
        args: ['-c', join(dir, 'key.ctx'), '-g', 'sha256', '-s', 'ecdsa', '-f', 'plain', '-d', '-o', out],
        input: digest,
      },
    ]);
    return derToJoseSignature(await readFile(out));
  };
  return Object.freeze({
    protection: 'tpm',
    publicJwk,
    thumbprint: jwkThumbprint(publicJwk),
    async sign(data: Uint8Array): Promise<Uint8Array> {
      // The digest is computed here and signed by the TPM (`-d`): no size limit from TPM2_Hash.
      const digest = createHash('sha256').update(data).digest();
      let signature: Uint8Array;
      try {
        signature = await signOnce(digest);
      } catch (error) {
        if (!(error instanceof StrongroomError) || error.code !== 'device_key_unavailable') throw error;
        await loadIntoTpm(tcti, blobs, dir);
        signature = await signOnce(digest);
      }
      if (!verify('sha256', data, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature))
        throw new StrongroomError('internal', 'The TPM signature does not verify with the device key.', {
          hint: REENROLL_HINT,
        });
      return signature;
    },
  });
}
