import { z } from 'zod';
import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown, type PostureFinding } from './PostureFinding.js';
import { describeExecFailure } from './describeExecFailure.js';
import { asArray, parseJson } from './parseJson.js';
import { runPowerShell } from './runPowerShell.js';

const expected = 'Windows Defender Firewall is on for the Domain, Private and Public profiles';
const fix =
  'Turn on Windows Defender Firewall for every profile: Windows Security → Firewall & network protection.';

const profilesSchema = z.preprocess(
  asArray,
  z.array(z.object({ Name: z.string(), Enabled: z.string() })).min(1),
);

function judge(profiles: readonly { name: string; on: boolean }[]): PostureFinding {
  const observed = profiles.map((profile) => `${profile.name} ${profile.on ? 'on' : 'off'}`).join(', ');
  const names = new Set(profiles.map((profile) => profile.name));
  if (!['Domain', 'Private', 'Public'].every((name) => names.has(name))) {
    return unknown(`${observed}: not every profile was reported`, expected, fix);
  }
  return profiles.every((profile) => profile.on)
    ? passed(observed, expected)
    : failed(observed, expected, fix);
}

/** netsh's text is translated; only English headings and ON/OFF are read. */
function judgeNetsh(text: string): PostureFinding {
  const profiles = [
    ...text.matchAll(/^(Domain|Private|Public) Profile Settings:\s*\r?\n-+\r?\nState\s+(ON|OFF)\s*$/gm),
  ].map((match) => ({ name: match[1] ?? '', on: match[2] === 'ON' }));
  if (profiles.length === 0)
    return unknown('netsh advfirewall: output not understood (not English?)', expected, fix);
  return judge(profiles);
}

export const checkFirewallWin32: PostureCheck = {
  id: 'firewall',
  async run(context) {
    const timeoutMs = context.options.checkTimeoutMs;
    // ActiveStore is the effective state, with Group Policy applied over the local settings.
    const script =
      "Get-NetFirewallProfile -PolicyStore ActiveStore | Select-Object Name,@{n='Enabled';e={[string]$_.Enabled}} | ConvertTo-Json";
    const ps = await runPowerShell(context.host, script, timeoutMs);
    const psFailure = describeExecFailure('Get-NetFirewallProfile', ps);
    if (!psFailure) {
      const profiles = parseJson(profilesSchema, ps.stdout);
      if (
        profiles &&
        profiles.every((profile) => profile.Enabled === 'True' || profile.Enabled === 'False')
      ) {
        return judge(profiles.map((profile) => ({ name: profile.Name, on: profile.Enabled === 'True' })));
      }
      return unknown('Get-NetFirewallProfile: output not understood', expected, fix);
    }
    const netsh = await context.host.exec('netsh', ['advfirewall', 'show', 'allprofiles', 'state'], {
      timeoutMs,
    });
    const netshFailure = describeExecFailure('netsh advfirewall', netsh);
    if (netshFailure) return unknown(`${psFailure}; ${netshFailure}`, expected, fix);
    return judgeNetsh(netsh.stdout);
  },
};
