import { execFile } from 'node:child_process';
import { StrongroomError } from '../../errors/StrongroomError.js';

export interface Tpm2Call {
  readonly tcti: string;
  /** Bytes written to the tool's stdin (e.g. a digest for `tpm2_sign -d`). */
  readonly input?: Uint8Array;
}

/** The first tool-level error line tpm2-tools printed: says what failed without echoing any input. */
function reasonOf(stderr: string): string {
  // Tool-level lines ("ERROR: Esys_Load(0x1DF) - …", "ERROR: Could not load tcti …") say it best.
  const lines = stderr.split('\n');
  const line = lines.find((l) => l.startsWith('ERROR: ')) ?? lines.find((l) => l.startsWith('ERROR')) ?? '';
  return line.replace(/^ERROR:\s*/, '').slice(0, 300);
}

/** A failure that means "cannot reach or use the TPM", with how to fix it. */
function unavailable(tool: string, tcti: string, stderr: string, cause: unknown): StrongroomError {
  const reason = reasonOf(stderr);
  let hint = 'Check TPM2TOOLS_TCTI and that the TPM is enabled, or set STRONGROOM_DEVICE_KEY=software.';
  if (/permission denied|EACCES/i.test(stderr))
    hint = 'Add yourself to the tss group (`sudo usermod -aG tss $USER`, then sign in again).';
  // TPM_RC_AUTH_FAIL / BAD_AUTH on the primary: the owner hierarchy has a password, which this
  // client does not ask for (it would have to keep it); a software key is the way out.
  else if (tool === 'tpm2_createprimary' && /CreatePrimary\(0x9A2\)|CreatePrimary\(0x98E\)/i.test(stderr))
    hint =
      "This TPM's owner hierarchy has a password, and Strongroom needs it empty to make its key. Clear the owner password, or set STRONGROOM_DEVICE_KEY=software.";
  return new StrongroomError(
    'device_key_unavailable',
    `${tool} could not use the TPM at ${tcti}: ${reason || 'it failed'}.`,
    { cause, hint },
  );
}

function run(tool: string, args: readonly string[], call: Tpm2Call): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      tool,
      args,
      {
        encoding: 'buffer',
        timeout: 30_000,
        maxBuffer: 1 << 20,
        // Only what tpm2-tools needs: the TCTI comes from configuration, not from whatever else is set.
        env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TPM2TOOLS_TCTI: call.tcti },
      },
      (error, stdout, stderr) => {
        if (error === null) return resolve(stdout);
        if ((error as NodeJS.ErrnoException).code === 'ENOENT')
          return reject(
            new StrongroomError(
              'device_key_unavailable',
              `${tool} is not installed, so the TPM cannot be used.`,
              {
                cause: error,
                hint: 'Install tpm2-tools (`sudo apt install tpm2-tools`), or set STRONGROOM_DEVICE_KEY=software.',
              },
            ),
          );
        const text = stderr.toString();
        reject(Object.assign(unavailable(tool, call.tcti, text, error), { tool, stderr: text }));
      },
    );
    // A tool that exits before reading its input (no TPM, bad context) closes the pipe: the write
    // then fails with EPIPE, which unhandled would be an uncaught 'error' that kills this process.
    // The tool's exit status and stderr already say what failed.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(call.input === undefined ? undefined : Buffer.from(call.input));
  });
}

/** Which tool failed and its stderr, for classifying TPM response codes (never shown raw). */
export function tpm2Failure(error: unknown): { tool: string; stderr: string } | undefined {
  const { tool, stderr } = error as { tool?: unknown; stderr?: unknown };
  return typeof tool === 'string' && typeof stderr === 'string' ? { tool, stderr } : undefined;
}

// A resource manager (the kernel's /dev/tpmrm*, or tpm2-abrmd) flushes what each tool left loaded
// when it disconnects. Without one (a simulator, /dev/tpm0) objects stay in the TPM's three or so
// slots, so every step is followed by a flush of transient objects; their saved contexts stay usable.
const managed = (tcti: string): boolean => /^(device(:\/dev\/tpmrm\d+)?|tabrmd(:.*)?)$/.test(tcti);

// One TPM call sequence at a time per process: a flush must not hit another call's loaded objects.
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs tpm2-tools steps in order, as one unit (no other TPM call of this process in between),
 * async `execFile`, never a shell; each step's stdout is returned.
 */
export function runTpmSequence(
  tcti: string,
  steps: readonly { tool: string; args: readonly string[]; input?: Uint8Array }[],
): Promise<Buffer[]> {
  const flush = async (): Promise<void> => {
    if (!managed(tcti)) await run('tpm2_flushcontext', ['-t'], { tcti }).catch(() => undefined);
  };
  const work = async (): Promise<Buffer[]> => {
    const out: Buffer[] = [];
    try {
      for (const step of steps) {
        out.push(await run(step.tool, step.args, { tcti, ...(step.input ? { input: step.input } : {}) }));
        await flush();
      }
    } catch (error) {
      await flush();
      throw error;
    }
    return out;
  };
  const result = queue.then(work, work);
  queue = result.catch(() => undefined);
  return result;
}
