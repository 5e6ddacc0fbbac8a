import type { PostureCheckContext } from './PostureCheck.js';
import { failed, passed, type PostureFinding } from './PostureFinding.js';
import { describeExecFailure, firstLine } from './describeExecFailure.js';
import { runPowerShell } from './runPowerShell.js';

// Explorer's System.Volume.BitLockerProtection, which a standard user may read (Get-BitLockerVolume
// and manage-bde need elevation). Values as Explorer's drive overlay uses them.
const meanings: Readonly<Record<string, { on: boolean; text: string }>> = {
  '1': { on: true, text: 'on' },
  '2': { on: false, text: 'off' },
  '3': { on: false, text: 'encrypting' },
  '4': { on: false, text: 'decrypting' },
  '5': { on: false, text: 'suspended' },
  '6': { on: true, text: 'on (locked)' },
  '8': { on: false, text: 'waiting for activation (key stored in the clear)' },
};

/** A finding, or why this source gave none (for `observed` of a later `unknown`). */
export async function bitLockerShellProtection(
  context: PostureCheckContext,
  drive: string,
  expected: string,
  fix: string,
): Promise<PostureFinding | string> {
  const script = `(New-Object -ComObject Shell.Application).NameSpace('${drive}\\').Self.ExtendedProperty('System.Volume.BitLockerProtection')`;
  const result = await runPowerShell(context.host, script, context.options.checkTimeoutMs);
  const failure = describeExecFailure('System.Volume.BitLockerProtection', result);
  if (failure) return failure;
  const value = firstLine(result.stdout);
  const meaning = meanings[value];
  if (!meaning) return `System.Volume.BitLockerProtection: "${value}" not understood`;
  const observed = `${drive} BitLocker ${meaning.text} (System.Volume.BitLockerProtection = ${value})`;
  return meaning.on ? passed(observed, expected) : failed(observed, expected, fix);
}
