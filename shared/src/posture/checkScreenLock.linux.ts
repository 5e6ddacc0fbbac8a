import type { PostureCheck, PostureCheckContext } from './PostureCheck.js';
import { failed, passed, unknown, type PostureFinding } from './PostureFinding.js';
import { describeExecFailure } from './describeExecFailure.js';
import { listLinuxProcesses } from './linuxProcesses.js';
import { readKdeScreenLocker } from './kdeScreenLocker.js';

const fixGnome =
  'Turn on automatic screen lock: Settings → Privacy → Screen Lock (blank screen delay ≤ the limit, automatic lock on).';
const fixKde = 'Turn on automatic screen lock: System Settings → Screen Locking (lock after ≤ the limit).';
const fixNoSession =
  'Run the check inside your desktop session (GNOME or KDE), e.g. from the tray app or a terminal in that session.';

type Desktop = 'gnome' | 'kde' | 'other';

function desktopFromName(name: string): Desktop | undefined {
  const names = name.toUpperCase().split(':');
  if (
    names.some((part) => part === 'GNOME' || part === 'GNOME-CLASSIC' || part === 'UBUNTU' || part === 'POP')
  )
    return 'gnome';
  if (names.includes('KDE')) return 'kde';
  return name ? 'other' : undefined;
}

/**
 * Which desktop the user is in. gsettings answers with the schema defaults (lock on, 300 s) even
 * where no GNOME session exists, so reading it without knowing GNOME runs would be a guess.
 */
async function detectDesktop(
  context: PostureCheckContext,
): Promise<{ desktop: Desktop; how: string } | { desktop: undefined; how: string }> {
  const { env } = context.host;
  for (const variable of ['XDG_CURRENT_DESKTOP', 'XDG_SESSION_DESKTOP', 'DESKTOP_SESSION']) {
    const desktop = desktopFromName(env[variable] ?? '');
    if (desktop) return { desktop, how: `${variable}=${env[variable] ?? ''}` };
  }
  const list = await listLinuxProcesses(context);
  if (!list.ok) return { desktop: undefined, how: `no desktop in the environment; ${list.detail}` };
  const shells: [string, Desktop][] = [
    ['gnome-shell', 'gnome'],
    ['plasmashell', 'kde'],
    ['ksmserver', 'kde'],
  ];
  for (const [comm, desktop] of shells) {
    const shell = list.processes.find((process) => process.comm === comm);
    if (!shell) continue;
    // gsettings and kscreenlockerrc are per user: a session of another user (we run under sudo, or
    // as a service) says nothing about the settings this process would read.
    const [ours, theirs] = await Promise.all([realUid(context, 'self'), realUid(context, String(shell.pid))]);
    if (ours === undefined || ours !== theirs) {
      return {
        desktop: undefined,
        how: `${comm} runs as uid ${theirs ?? '?'}, this check as uid ${ours ?? '?'}: not this user's session`,
      };
    }
    return { desktop, how: `${comm} is running` };
  }
  return {
    desktop: undefined,
    how: 'no desktop session (XDG_CURRENT_DESKTOP unset, no gnome-shell or plasmashell running)',
  };
}

async function realUid(context: PostureCheckContext, pid: string): Promise<string | undefined> {
  const status = await context.host.readFile(`/proc/${pid}/status`);
  return status.ok ? /^Uid:\s+(\d+)/m.exec(new TextDecoder().decode(status.data))?.[1] : undefined;
}

async function checkGnome(context: PostureCheckContext, how: string): Promise<PostureFinding> {
  const max = context.options.maxIdleDelaySeconds;
  const expected = `GNOME locks the screen automatically within ${String(max)} s of idle`;
  const get = async (schema: string, key: string) => {
    const result = await context.host.exec('gsettings', ['get', schema, key], {
      timeoutMs: context.options.checkTimeoutMs,
    });
    const failure = describeExecFailure(`gsettings get ${schema} ${key}`, result);
    return failure ? { failure } : { value: result.stdout.trim() };
  };
  const [lockEnabled, idleDelay, lockDelay, lockDisabled] = await Promise.all([
    get('org.gnome.desktop.screensaver', 'lock-enabled'),
    get('org.gnome.desktop.session', 'idle-delay'),
    get('org.gnome.desktop.screensaver', 'lock-delay'),
    get('org.gnome.desktop.lockdown', 'disable-lock-screen'),
  ]);
  for (const answer of [lockEnabled, idleDelay, lockDelay]) {
    if ('failure' in answer) return unknown(`${how}; ${answer.failure}`, expected, fixGnome);
  }
  const seconds = (text: string | undefined) => /^(?:uint32 )?(\d+)$/.exec(text ?? '')?.[1];
  const idle = seconds(idleDelay.value);
  const grace = seconds(lockDelay.value);
  if (!['true', 'false'].includes(lockEnabled.value ?? '') || idle === undefined || grace === undefined) {
    return unknown(`${how}; gsettings: values not understood`, expected, fixGnome);
  }
  const observed = `GNOME: lock-enabled ${lockEnabled.value ?? ''}, idle-delay ${idle} s, lock-delay ${grace} s${'value' in lockDisabled && lockDisabled.value === 'true' ? ', lock screen disabled by lockdown' : ''}`;
  if (lockEnabled.value !== 'true' || ('value' in lockDisabled && lockDisabled.value === 'true'))
    return failed(observed, expected, fixGnome);
  // idle-delay 0 means the screen never blanks, so it never locks on its own.
  if (Number(idle) === 0 || Number(idle) + Number(grace) > max) return failed(observed, expected, fixGnome);
  return passed(observed, expected);
}

async function checkKde(context: PostureCheckContext, how: string): Promise<PostureFinding> {
  const max = context.options.maxIdleDelaySeconds;
  const expected = `KDE locks the screen automatically within ${String(max)} s of idle`;
  const settings = await readKdeScreenLocker(context.host);
  if (!settings.ok) return unknown(`${how}; ${settings.detail}`, expected, fixKde);
  const total = settings.timeoutMinutes * 60 + settings.graceSeconds;
  const observed = `KDE: Autolock ${String(settings.autolock)}, Timeout ${String(settings.timeoutMinutes)} min, LockGrace ${String(settings.graceSeconds)} s (${settings.source})`;
  if (!settings.autolock || settings.timeoutMinutes === 0 || total > max)
    return failed(observed, expected, fixKde);
  return passed(observed, expected);
}

export const checkScreenLockLinux: PostureCheck = {
  id: 'screen_lock',
  async run(context) {
    const detected = await detectDesktop(context);
    if (detected.desktop === 'gnome') return checkGnome(context, detected.how);
    if (detected.desktop === 'kde') return checkKde(context, detected.how);
    const expected = `the desktop locks the screen automatically within ${String(context.options.maxIdleDelaySeconds)} s of idle`;
    if (detected.desktop === 'other')
      return unknown(
        `${detected.how}: this desktop's screen lock cannot be read yet (GNOME and KDE can)`,
        expected,
        fixNoSession,
      );
    return unknown(detected.how, expected, fixNoSession);
  },
};
