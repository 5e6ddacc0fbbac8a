import { readFile } from 'node:fs/promises';
import { runTpmSequence } from './runTpm2.js';
import { withTpmWorkDir } from './withTpmWorkDir.js';

/** A TPM key as tpm2_create returns it: TPM2B_PUBLIC and TPM2B_PRIVATE (wrapped by the parent). */
export interface TpmKeyBlobs {
  readonly public: Uint8Array;
  readonly private: Uint8Array;
}

/**
 * The parent: the owner hierarchy's standard ECC P-256 storage primary. Derived from the owner seed
 * with a fixed template, so it is the same key every time and need not be stored or persisted; a
 * TPM clear changes the seed, and with it every child key becomes unloadable.
 */
export const createPrimaryStep = (contextFile: string) => ({
  tool: 'tpm2_createprimary',
  args: ['-C', 'o', '-g', 'sha256', '-G', 'ecc256', '-c', contextFile, '-Q'],
});

/**
 * Creates a P-256 ECDSA signing key inside the TPM: generated there (`sensitivedataorigin`), bound
 * to this TPM and parent (`fixedtpm|fixedparent`), signing only (no `decrypt`, no `restricted`), used
 * with an empty auth value (`userwithauth`; access is the OS's TPM device permission). The private
 * blob is wrapped by the parent: useless anywhere but this TPM.
 */
export async function createTpmKeyBlobs(tcti: string): Promise<TpmKeyBlobs> {
  return withTpmWorkDir(async (file) => {
    await runTpmSequence(tcti, [
      createPrimaryStep(file('primary.ctx')),
      {
        tool: 'tpm2_create',
        args: [
          '-C',
          file('primary.ctx'),
          '-G',
          'ecc256:ecdsa-sha256',
          '-a',
          'sign|fixedtpm|fixedparent|sensitivedataorigin|userwithauth',
          '-u',
          file('key.pub'),
          '-r',
          file('key.priv'),
          '-Q',
        ],
      },
    ]);
    return { public: await readFile(file('key.pub')), private: await readFile(file('key.priv')) };
  });
}
