import { z } from 'zod';
import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { daysSince, latest, localTime } from './daysSince.js';
import { describeExecFailure } from './describeExecFailure.js';
import { asArray, parseJson } from './parseJson.js';
import { runPowerShell } from './runPowerShell.js';

const fix = 'Install updates: Settings → Windows Update → Check for updates.';

// Dates are formatted by the script itself (yyyy-MM-dd), not by the user's culture.
const script = [
  '$os = Get-CimInstance Win32_OperatingSystem',
  "$ubr = (Get-ItemProperty 'HKLM:\\SOFTWARE\\Microsoft\\Windows NT\\CurrentVersion' -ErrorAction SilentlyContinue).UBR",
  "$hotfixes = @(Get-HotFix | Select-Object HotFixID,Description,@{n='InstalledOn';e={if ($_.InstalledOn) { $_.InstalledOn.ToString('yyyy-MM-dd', [Globalization.CultureInfo]::InvariantCulture) } else { $null }}})",
  '[pscustomobject]@{ Caption = $os.Caption; Version = $os.Version; UBR = $ubr; HotFixes = $hotfixes } | ConvertTo-Json -Depth 3',
].join('; ');

const reportSchema = z.object({
  Caption: z.string(),
  Version: z.string(),
  UBR: z.number().nullish(),
  HotFixes: z.preprocess(
    (value) => (value === null ? [] : asArray(value)),
    z.array(
      z.object({
        HotFixID: z.string(),
        Description: z.string().nullish(),
        InstalledOn: z.string().nullish(),
      }),
    ),
  ),
});

export const checkOsUpdatesWin32: PostureCheck = {
  id: 'os_updates',
  async run(context) {
    const { host, options } = context;
    const expected = `a security update installed within the last ${String(options.maxPatchAgeDays)} days`;
    const result = await runPowerShell(host, script, options.checkTimeoutMs);
    const failure = describeExecFailure('Get-HotFix', result);
    if (failure) return unknown(failure, expected, fix);
    const report = parseJson(reportSchema, result.stdout);
    if (!report) return unknown('Get-HotFix: output not understood', expected, fix);
    const os = `${report.Caption} ${report.Version}${report.UBR == null ? '' : `.${String(report.UBR)}`}`;
    // Win32_QuickFixEngineering labels monthly cumulative updates "Security Update".
    const security = report.HotFixes.filter((hotfix) => hotfix.Description === 'Security Update');
    const dated = security.flatMap((hotfix) => {
      const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(hotfix.InstalledOn ?? '');
      return day ? [{ id: hotfix.HotFixID, date: localTime(day[1] ?? '', day[2] ?? '', day[3] ?? '') }] : [];
    });
    const newest = latest(dated.map((hotfix) => hotfix.date));
    const last = dated.find((hotfix) => hotfix.date.getTime() === newest?.getTime());
    if (!last) {
      const seen =
        report.HotFixes.length === 0
          ? 'no hotfixes listed'
          : `${String(report.HotFixes.length)} hotfixes, none a dated "Security Update"`;
      return unknown(`${os}; ${seen}`, expected, fix);
    }
    const age = daysSince(host.now(), last.date);
    if (age === undefined) return unknown(`${os}; ${last.id} dated in the future (clock?)`, expected, fix);
    const observed = `${os}; last security update ${last.id} on ${report.HotFixes.find((h) => h.HotFixID === last.id)?.InstalledOn ?? '?'} (${String(age)} days ago)`;
    return age <= options.maxPatchAgeDays ? passed(observed, expected) : failed(observed, expected, fix);
  },
};
