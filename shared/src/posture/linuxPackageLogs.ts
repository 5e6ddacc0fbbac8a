import { latest, localTime } from './daysSince.js';

/**
 * Where each Linux package manager records upgrades, and how to find the last one. Only upgrades
 * count: installing a new package patches nothing that was already there. unattended-upgrades also
 * counts when it found nothing left to install: the machine was current with its security pockets then.
 */
export interface PackageLog {
  readonly path: string;
  /** What a date from this log means, for `observed`. */
  readonly label: string;
  readonly lastUpgrade: (text: string) => Date | undefined;
}

/** apt's history: a `Start-Date:` block that contains an `Upgrade:` line (unattended-upgrades too). */
function lastAptUpgrade(text: string): Date | undefined {
  const dates: Date[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const start = /^Start-Date: (\d{4})-(\d{2})-(\d{2})\s+(\d{2}):(\d{2}):(\d{2})/m.exec(block);
    if (start && /^Upgrade: /m.test(block)) {
      const [, year = '', month = '', day = '', hour, minute, second] = start;
      dates.push(localTime(year, month, day, hour, minute, second));
    }
  }
  return latest(dates);
}

/** dpkg's own log: `2026-11-26 05:11:37 upgrade libc6:amd64 2.36-9+deb12u13 2.36-9+deb12u14`. */
function lastDpkgUpgrade(text: string): Date | undefined {
  const matches = text.matchAll(/^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}) upgrade /gm);
  return latest([...matches].map(([, y = '', mo = '', d = '', h, mi, s]) => localTime(y, mo, d, h, mi, s)));
}

/** pacman: `[2024-05-01T10:00:00+0200] [ALPM] upgraded linux (6.8.1.arch1-1 -> 6.8.2.arch1-1)`. */
function lastPacmanUpgrade(text: string): Date | undefined {
  const matches = text.matchAll(
    /^\[(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})([+-]\d{2})(\d{2})\] \[ALPM\] upgraded /gm,
  );
  return latest(
    [...matches].map(
      ([, time = '', zoneHours = '', zoneMinutes = '']) => new Date(`${time}${zoneHours}:${zoneMinutes}`),
    ),
  );
}

/** dnf: `2024-05-01T08:00:00+0000 SUBDEBUG Upgrade: kernel-core-6.8.9-300.fc40.x86_64`. */
function lastDnfUpgrade(text: string): Date | undefined {
  const matches = text.matchAll(
    /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(Z|[+-]\d{2}):?(\d{2})? \w+ Upgrade(d)?: /gm,
  );
  return latest(
    [...matches].map(
      ([, time = '', zone = '', zoneMinutes]) =>
        new Date(zone === 'Z' ? `${time}Z` : `${time}${zone}:${zoneMinutes ?? '00'}`),
    ),
  );
}

/** unattended-upgrades: `2026-11-20 06:31:09,999 INFO No packages found that can be upgraded unattended …` or `All upgrades installed`. */
function lastUnattendedCurrent(text: string): Date | undefined {
  const matches = text.matchAll(
    /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2}),\d+ INFO (?:No packages found that can be upgraded unattended|All upgrades installed)/gm,
  );
  return latest([...matches].map(([, y = '', mo = '', d = '', h, mi, s]) => localTime(y, mo, d, h, mi, s)));
}

export const linuxPackageLogs: readonly PackageLog[] = [
  { path: '/var/log/apt/history.log', label: 'apt upgrade', lastUpgrade: lastAptUpgrade },
  { path: '/var/log/apt/history.log.1', label: 'apt upgrade', lastUpgrade: lastAptUpgrade },
  { path: '/var/log/dpkg.log', label: 'dpkg upgrade', lastUpgrade: lastDpkgUpgrade },
  { path: '/var/log/dpkg.log.1', label: 'dpkg upgrade', lastUpgrade: lastDpkgUpgrade },
  {
    path: '/var/log/unattended-upgrades/unattended-upgrades.log',
    label: 'unattended-upgrades: nothing left to install',
    lastUpgrade: lastUnattendedCurrent,
  },
  { path: '/var/log/pacman.log', label: 'pacman upgrade', lastUpgrade: lastPacmanUpgrade },
  { path: '/var/log/dnf.rpm.log', label: 'dnf upgrade', lastUpgrade: lastDnfUpgrade },
];

/**
 * Pending security updates as Ubuntu's update-notifier counted them after the last `apt update`
 * (/var/lib/update-notifier/updates-available). Its sentences are translated; only English is read.
 */
export function pendingSecurityUpdates(text: string): number | undefined {
  const security = /^(\d+) (?:of these )?updates? (?:are|is a) (?:standard )?security updates?\.?$/m.exec(
    text,
  )?.[1];
  if (security !== undefined) return Number(security);
  // "0 updates can be applied immediately." (or the older "0 packages can be updated.") names no security line.
  if (/^\d+ (?:updates? can be applied immediately|packages? can be updated)\.$/m.test(text)) return 0;
  return undefined;
}
