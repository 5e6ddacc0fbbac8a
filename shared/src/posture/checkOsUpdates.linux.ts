import type { PostureCheck, PostureCheckContext } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { daysSince, isoDay, latest } from './daysSince.js';
import { linuxPackageLogs } from './linuxPackageLogs.js';

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

export const checkOsUpdatesLinux: PostureCheck = {
  id: 'os_updates',
  async run(context) {
    const { host, options } = context;
    const expected = `packages upgraded within the last ${String(options.maxPatchAgeDays)} days`;
    const [name, reads] = await Promise.all([
      osName(context),
      Promise.all(linuxPackageLogs.map(async (log) => ({ log, file: await host.readFile(log.path) }))),
    ]);
    const os = name ?? 'unknown Linux (no os-release)';
    const readable = reads.flatMap(({ log, file }) =>
      file.ok ? [{ log, text: new TextDecoder().decode(file.data) }] : [],
    );
    const denied = reads
      .filter(({ file }) => !file.ok && file.failure === 'permission_denied')
      .map(({ log }) => log.path);
    if (readable.length === 0) {
      const why =
        denied.length > 0
          ? `permission denied: ${denied.join(', ')}`
          : 'no apt, dpkg, pacman or dnf log found';
      return unknown(`${os}; ${why}`, expected, fix);
    }
    const last = latest(readable.flatMap(({ log, text }) => log.lastUpgrade(text) ?? []));
    const logs = readable.map(({ log }) => log.path).join(', ');
    if (!last) return unknown(`${os}; no package upgrade recorded in ${logs}`, expected, fix);
    const age = daysSince(host.now(), last);
    if (age === undefined)
      return unknown(`${os}; last upgrade ${last.toISOString()} is in the future (clock?)`, expected, fix);
    const observed = `${os}; last package upgrade ${isoDay(last)} (${String(age)} days ago)`;
    return age <= options.maxPatchAgeDays ? passed(observed, expected) : failed(observed, expected, fix);
  },
};
