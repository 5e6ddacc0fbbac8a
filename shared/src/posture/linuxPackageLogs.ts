import { latest, localTime } from './daysSince.js';

/**
 * Where each Linux package manager records upgrades, and how to find the last one. Only upgrades
 * count: installing a new package patches nothing that was already there.
 */
export interface PackageLog {
  readonly path: string;
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

export const linuxPackageLogs: readonly PackageLog[] = [
  { path: '/var/log/apt/history.log', lastUpgrade: lastAptUpgrade },
  { path: '/var/log/apt/history.log.1', lastUpgrade: lastAptUpgrade },
  { path: '/var/log/dpkg.log', lastUpgrade: lastDpkgUpgrade },
  { path: '/var/log/dpkg.log.1', lastUpgrade: lastDpkgUpgrade },
  { path: '/var/log/pacman.log', lastUpgrade: lastPacmanUpgrade },
  { path: '/var/log/dnf.rpm.log', lastUpgrade: lastDnfUpgrade },
];
