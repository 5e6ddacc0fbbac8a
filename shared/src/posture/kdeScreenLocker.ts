import type { PostureHost } from './PostureHost.js';

export type KdeScreenLocker =
  | {
      readonly ok: true;
      readonly autolock: boolean;
      readonly timeoutMinutes: number;
      readonly graceSeconds: number;
      readonly source: string;
    }
  | { readonly ok: false; readonly detail: string };

// KDE writes only keys that differ from the defaults compiled into kscreenlocker (kscreenlockersettings.kcfg):
// Autolock=true, Timeout=5 (minutes), LockGrace=5 (seconds). A missing file or key means the default.
const defaults = { Autolock: 'true', Timeout: '5', LockGrace: '5' };

function daemonGroup(text: string): Record<string, string> {
  const values: Record<string, string> = {};
  let inDaemon = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const group = /^\[([^\]]*)\]/.exec(line);
    if (group) {
      inDaemon = group[1] === 'Daemon';
      continue;
    }
    const entry = /^([A-Za-z]+)(?:\[\$[a-z]+\])?\s*=\s*(.*)$/.exec(line);
    if (inDaemon && entry?.[1] && entry[2] !== undefined) values[entry[1]] = entry[2].trim();
  }
  return values;
}

/** Reads [Daemon] from /etc/xdg/kscreenlockerrc (the system default) overlaid by the user's file. */
export async function readKdeScreenLocker(host: PostureHost): Promise<KdeScreenLocker> {
  const configHome = host.env['XDG_CONFIG_HOME'] || `${host.homeDir}/.config`;
  const values: Record<string, string> = { ...defaults };
  const sources: string[] = [];
  for (const path of ['/etc/xdg/kscreenlockerrc', `${configHome}/kscreenlockerrc`]) {
    const file = await host.readFile(path);
    if (file.ok) {
      Object.assign(values, daemonGroup(new TextDecoder().decode(file.data)));
      sources.push(path);
    } else if (file.failure !== 'not_found') {
      return { ok: false, detail: `${path}: ${file.detail}` };
    }
  }
  const autolock = values['Autolock']?.toLowerCase();
  const timeout = Number(values['Timeout']);
  const grace = Number(values['LockGrace']);
  if (
    (autolock !== 'true' && autolock !== 'false') ||
    !Number.isInteger(timeout) ||
    timeout < 0 ||
    !Number.isInteger(grace) ||
    grace < 0
  ) {
    return { ok: false, detail: 'kscreenlockerrc: values not understood' };
  }
  const source = sources.length > 0 ? sources.join(' + ') : 'KDE defaults, no kscreenlockerrc';
  return { ok: true, autolock: autolock === 'true', timeoutMinutes: timeout, graceSeconds: grace, source };
}
