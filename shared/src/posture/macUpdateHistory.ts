import { latest, localTime } from './daysSince.js';

// Only operating-system and security releases patch the system; XProtect, MRT and Gatekeeper data
// updates arrive silently every few days and would make an unpatched Mac look current.
const isPatch = (name: string) =>
  /^macOS |Security Update|Security Response|Security Improvement/i.test(name);

/**
 * Last patch in `/Library/Receipts/InstallHistory.plist` (readable by every user; dates are ISO 8601
 * in UTC whatever the locale): one <dict> per install with `date`, `displayName`, `processName`.
 */
export function lastPatchFromInstallHistory(plist: string): { date: Date; name: string } | undefined {
  const patches: { date: Date; name: string }[] = [];
  for (const [entry = ''] of plist.matchAll(/<dict>[\s\S]*?<\/dict>/g)) {
    const date = /<key>date<\/key>\s*<date>([^<]+)<\/date>/.exec(entry)?.[1];
    const name = /<key>displayName<\/key>\s*<string>([^<]*)<\/string>/.exec(entry)?.[1];
    const process = /<key>processName<\/key>\s*<string>([^<]*)<\/string>/.exec(entry)?.[1];
    if (date && name && process === 'softwareupdated' && isPatch(name))
      patches.push({ date: new Date(date), name });
  }
  const newest = latest(patches.map((patch) => patch.date));
  return patches.find((patch) => patch.date.getTime() === newest?.getTime());
}

/**
 * Last patch in `softwareupdate --history`. Its dates are `MM/DD/YYYY, HH:MM:SS` in the C and US
 * locales but `DD/MM/YYYY` in others. A day above 12 settles the order; when every date reads both
 * ways the older reading is taken, so ambiguity can only make the answer stricter, never kinder.
 */
export function lastPatchFromSoftwareUpdate(
  text: string,
): { date: Date; name: string; ambiguous: boolean } | undefined {
  const rows = [
    ...text.matchAll(/^(.+?)\s{2,}\S+\s+(\d{1,2})[/.](\d{1,2})[/.](\d{4}),? (\d{2}):(\d{2}):(\d{2})\s*$/gm),
  ]
    .map(([, name = '', first = '', second = '', year = '', hour, minute, second_]) => ({
      name: name.trim(),
      first,
      second,
      year,
      time: [hour, minute, second_] as const,
    }))
    .filter((row) => isPatch(row.name));
  if (rows.length === 0) return undefined;
  const monthFirstPossible = rows.every((row) => Number(row.first) <= 12);
  const dayFirstPossible = rows.every((row) => Number(row.second) <= 12);
  const readings = [
    ...(monthFirstPossible
      ? [
          rows.map((row) => ({
            name: row.name,
            date: localTime(row.year, row.first, row.second, ...row.time),
          })),
        ]
      : []),
    ...(dayFirstPossible
      ? [
          rows.map((row) => ({
            name: row.name,
            date: localTime(row.year, row.second, row.first, ...row.time),
          })),
        ]
      : []),
  ];
  const newestPerReading = readings.flatMap((reading) => {
    const newest = latest(reading.map((row) => row.date));
    const row = reading.find((candidate) => candidate.date.getTime() === newest?.getTime());
    return row ? [row] : [];
  });
  const oldest = newestPerReading.sort((a, b) => a.date.getTime() - b.date.getTime())[0];
  return oldest && { ...oldest, ambiguous: readings.length > 1 };
}
