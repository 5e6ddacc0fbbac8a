import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { daysSince, isoDay } from './daysSince.js';
import { describeExecFailure } from './describeExecFailure.js';
import { lastPatchFromInstallHistory, lastPatchFromSoftwareUpdate } from './macUpdateHistory.js';

const fix =
  'Install updates: System Settings → General → Software Update, and turn on "Install Security Responses and system files".';

export const checkOsUpdatesDarwin: PostureCheck = {
  id: 'os_updates',
  async run(context) {
    const { host, options } = context;
    const expected = `a macOS or security update installed within the last ${String(options.maxPatchAgeDays)} days`;
    const timeoutMs = options.checkTimeoutMs;
    const [swVers, history, receipts] = await Promise.all([
      host.exec('sw_vers', [], { timeoutMs }),
      host.exec('softwareupdate', ['--history'], { timeoutMs }),
      host.readFile('/Library/Receipts/InstallHistory.plist'),
    ]);
    const product = /^ProductName:\s*(.+)$/m.exec(swVers.stdout)?.[1]?.trim();
    const version = /^ProductVersion:\s*(.+)$/m.exec(swVers.stdout)?.[1]?.trim();
    const build = /^BuildVersion:\s*(.+)$/m.exec(swVers.stdout)?.[1]?.trim();
    const os =
      product && version
        ? `${product} ${version}${build ? ` (${build})` : ''}`
        : (describeExecFailure('sw_vers', swVers) ?? 'sw_vers: output not understood');

    const fromReceipts = receipts.ok
      ? lastPatchFromInstallHistory(new TextDecoder().decode(receipts.data))
      : undefined;
    const fromHistory = describeExecFailure('softwareupdate --history', history)
      ? undefined
      : lastPatchFromSoftwareUpdate(history.stdout);
    const last = fromReceipts ?? fromHistory;
    if (!last) {
      const why = [
        receipts.ok
          ? 'InstallHistory.plist lists no macOS or security update'
          : `InstallHistory.plist: ${receipts.detail}`,
        describeExecFailure('softwareupdate --history', history) ??
          'softwareupdate --history: no macOS or security update understood',
      ];
      return unknown(`${os}; ${why.join('; ')}`, expected, fix);
    }
    const age = daysSince(host.now(), last.date);
    if (age === undefined)
      return unknown(
        `${os}; last update ${last.date.toISOString()} is in the future (clock?)`,
        expected,
        fix,
      );
    const hedge = 'ambiguous' in last && last.ambiguous ? ', date order ambiguous: older reading used' : '';
    const observed = `${os}; last update "${last.name}" ${isoDay(last.date)} (${String(age)} days ago${hedge})`;
    return age <= options.maxPatchAgeDays ? passed(observed, expected) : failed(observed, expected, fix);
  },
};
