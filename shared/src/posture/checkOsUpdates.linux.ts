import type { PostureCheck, PostureCheckContext } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { daysSince, isoDay, latest } from './daysSince.js';
import { aptPendingSecurity, type AptSecurityState } from './aptPendingSecurity.js';
import { linuxPackageLogs, pendingSecurityUpdates } from './linuxPackageLogs.js';

const fix =
  'Install updates now (`sudo apt update && sudo apt upgrade`, `sudo dnf upgrade`, `sudo pacman -Syu`) and turn on automatic security updates.';

async function osName(context: PostureCheckContext): Promise<string | undefined> {
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const file = await context.host.readFile(path);
    if (!file.ok) continue;
    const text = new TextDecoder().decode(file.data);
    const field = (name: string) =>
      new RegExp(`^${name}=(?:"([^"]*)"|'([^']*)'|(\\S*))`, 'm')
        .exec(text)
        ?.slice(1)
        .find((value) => value !== undefined);
    const name = field('PRETTY_NAME') ?? [field('NAME'), field('VERSION')].filter(Boolean).join(' ');
    if (name) return name;
  }
  return undefined;
}

function describePending(apt: AptSecurityState, notified: number | undefined): string {
  if (apt.kind === 'read' && apt.pending.length > 0) {
    const names = apt.pending.slice(0, 3).join(', ');
    return `; ${String(apt.pending.length)} security updates published but not installed (${names}${apt.pending.length > 3 ? ', …' : ''})`;
  }
  if (apt.kind === 'read') return '; no security update pending';
  if (notified) return `; ${String(notified)} security updates pending (update-notifier)`;
  return apt.kind === 'unreadable' ? `; pending security updates not read (${apt.detail})` : '';
}

export const checkOsUpdatesLinux: PostureCheck = {
  id: 'os_updates',
  async run(context) {
    const { host, options } = context;
    const expected = `updates installed within the last ${String(options.maxPatchAgeDays)} days, no security update pending`;
    const [name, reads, notifier, apt] = await Promise.all([
      osName(context),
      Promise.all(linuxPackageLogs.map(async (log) => ({ log, file: await host.readFile(log.path) }))),
      host.readFile('/var/lib/update-notifier/updates-available'),
      aptPendingSecurity(context),
    ]);
    const os = name ?? 'unknown Linux (no os-release)';
    const notified = notifier.ok
      ? pendingSecurityUpdates(new TextDecoder().decode(notifier.data))
      : undefined;
    const pending = apt.kind === 'read' ? apt.pending.length : notified;
    const pendingNote = describePending(apt, notified);
    const readable = reads.flatMap(({ log, file }) =>
      file.ok ? [{ log, text: new TextDecoder().decode(file.data) }] : [],
    );
    const denied = reads
      .filter(({ file }) => !file.ok && file.failure === 'permission_denied')
      .map(({ log }) => log.path);
    const dated = readable.flatMap(({ log, text }) => {
      const date = log.lastUpgrade(text);
      return date ? [{ date, label: log.label }] : [];
    });
    const newest = latest(dated.map((entry) => entry.date));
    const last = dated.find((entry) => entry.date.getTime() === newest?.getTime());
    if (!last) {
      const why =
        readable.length > 0
          ? `no package upgrade recorded in ${readable.map(({ log }) => log.path).join(', ')}`
          : denied.length > 0
            ? `permission denied: ${denied.join(', ')}`
            : 'no apt, dpkg, unattended-upgrades, pacman or dnf log found';
      // Security updates known to be waiting settle it even without a date.
      if (pending) return failed(`${os}; ${why}${pendingNote}`, expected, fix);
      return unknown(`${os}; ${why}${pendingNote}`, expected, fix);
    }
    const age = daysSince(host.now(), last.date);
    if (age === undefined) {
      return unknown(
        `${os}; last upgrade ${last.date.toISOString()} is in the future (clock?)`,
        expected,
        fix,
      );
    }
    const observed = `${os}; last patched ${isoDay(last.date)}, ${String(age)} days ago (${last.label})${pendingNote}`;
    return age <= options.maxPatchAgeDays && !pending
      ? passed(observed, expected)
      : failed(observed, expected, fix);
  },
};
