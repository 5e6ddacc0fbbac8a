import { BrokerError } from '../errors/BrokerError.js';
import { compilePolicyBundle } from './compilePolicyBundle.js';
import type { CompileOptions } from './compilePolicyBundle.js';
import type { PolicyBundle } from './PolicyBundle.js';
import { readBundleDirectory } from './readBundleDirectory.js';

/** Reads and validates a bundle directory; any problem → a `policy_invalid` error listing them all. */
export async function loadPolicyBundle(dir: string, options: CompileOptions = {}): Promise<PolicyBundle> {
  const result = await checkPolicyBundle(dir, options);
  if (!result.ok)
    throw new BrokerError(
      'policy_invalid',
      `policy bundle ${dir} is invalid:\n  ${result.errors.join('\n  ')}`,
    );
  return result.bundle;
}

/** Like loadPolicyBundle, but returns the problems instead of throwing (for `policy validate` and hot swaps). */
export async function checkPolicyBundle(
  dir: string,
  options: CompileOptions = {},
): Promise<{ ok: true; bundle: PolicyBundle } | { ok: false; errors: readonly string[] }> {
  let files;
  try {
    files = await readBundleDirectory(dir);
  } catch (error) {
    return { ok: false, errors: [error instanceof Error ? error.message : String(error)] };
  }
  return compilePolicyBundle(files, options);
}
