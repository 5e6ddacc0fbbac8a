import { z } from 'zod';
import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { describeExecFailure } from './describeExecFailure.js';
import { parseJson } from './parseJson.js';
import { runPowerShell } from './runPowerShell.js';

const fix =
  'Set "Interactive logon: Machine inactivity limit", or a password-protected screen saver, within the limit (Settings → Personalization → Lock screen → Screen saver, tick "On resume, display logon screen").';

// Group Policy values (Software\Policies) win over the user's own Control Panel settings.
const script = [
  "$keys = [ordered]@{ machine = 'HKLM:\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Policies\\System'; userPolicy = 'HKCU:\\Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop'; user = 'HKCU:\\Control Panel\\Desktop' }",
  '$out = [ordered]@{}',
  "foreach ($name in $keys.Keys) { $p = Get-ItemProperty -Path $keys[$name] -ErrorAction SilentlyContinue; $out[$name] = if ($p) { [ordered]@{ InactivityTimeoutSecs = $p.InactivityTimeoutSecs; ScreenSaveActive = $p.ScreenSaveActive; ScreenSaverIsSecure = $p.ScreenSaverIsSecure; ScreenSaveTimeOut = $p.ScreenSaveTimeOut; ScreenSaver = $p.'SCRNSAVE.EXE' } } else { $null } }",
  '[pscustomobject]$out | ConvertTo-Json -Depth 3',
].join('; ');

const value = z.union([z.string(), z.number()]).nullish();
const keySchema = z
  .object({
    InactivityTimeoutSecs: value,
    ScreenSaveActive: value,
    ScreenSaverIsSecure: value,
    ScreenSaveTimeOut: value,
    ScreenSaver: value,
  })
  .nullish();
const reportSchema = z.object({ machine: keySchema, userPolicy: keySchema, user: keySchema });

const asNumber = (raw: string | number | null | undefined) =>
  raw === null || raw === undefined || String(raw).trim() === '' || !/^\d+$/.test(String(raw).trim())
    ? undefined
    : Number(raw);

export const checkScreenLockWin32: PostureCheck = {
  id: 'screen_lock',
  async run(context) {
    const max = context.options.maxIdleDelaySeconds;
    const expected = `Windows locks within ${String(max)} s of idle (machine inactivity limit, or a secure screen saver)`;
    const result = await runPowerShell(context.host, script, context.options.checkTimeoutMs);
    const failure = describeExecFailure('Get-ItemProperty (screen lock policy)', result);
    if (failure) return unknown(failure, expected, fix);
    const report = parseJson(reportSchema, result.stdout);
    if (!report) return unknown('screen lock policy: output not understood', expected, fix);

    const inactivity = asNumber(report.machine?.InactivityTimeoutSecs);
    if (inactivity !== undefined && inactivity > 0 && inactivity <= max) {
      return passed(`machine inactivity limit ${String(inactivity)} s`, expected);
    }
    const pick = (name: 'ScreenSaveActive' | 'ScreenSaverIsSecure' | 'ScreenSaveTimeOut' | 'ScreenSaver') =>
      report.userPolicy?.[name] ?? report.user?.[name];
    const active = asNumber(pick('ScreenSaveActive')) === 1;
    const secure = asNumber(pick('ScreenSaverIsSecure')) === 1;
    const timeout = asNumber(pick('ScreenSaveTimeOut'));
    // With no screen saver program chosen, "active" starts nothing.
    const program = String(pick('ScreenSaver') ?? '').trim();
    const observed = [
      `machine inactivity limit ${inactivity === undefined ? 'not set' : `${String(inactivity)} s`}`,
      `screen saver ${active ? 'on' : 'off'}${program ? '' : ' (none chosen)'}, ${secure ? 'password on resume' : 'no password on resume'}, after ${timeout === undefined ? '?' : String(timeout)} s`,
    ].join('; ');
    if (active && secure && program && timeout !== undefined && timeout > 0 && timeout <= max)
      return passed(observed, expected);
    return failed(observed, expected, fix);
  },
};
