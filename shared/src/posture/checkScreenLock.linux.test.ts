import { describe, expect, it } from 'vitest';
import { checkScreenLockLinux } from './checkScreenLock.linux.js';
import { linuxProc } from './fixtures/linuxProc.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded, type RecordedCommand, type RecordedMachine } from './RecordedPostureHost.js';

const gsettings = (schema: string, key: string, fixture: string): RecordedCommand => ({
  file: 'gsettings',
  args: ['get', schema, key],
  result: recorded.ok(readFixture(`linux/${fixture}`)),
});

const lockOn = gsettings('org.gnome.desktop.screensaver', 'lock-enabled', 'gsettings-lock-enabled-true.txt');
const idle300 = gsettings('org.gnome.desktop.session', 'idle-delay', 'gsettings-idle-delay-300.txt');
const rest = [
  gsettings('org.gnome.desktop.screensaver', 'lock-delay', 'gsettings-lock-delay-0.txt'),
  gsettings('org.gnome.desktop.lockdown', 'disable-lock-screen', 'gsettings-disable-lock-screen-false.txt'),
];
const gnomeDefaults = [lockOn, idle300, ...rest];

function run(machine: Partial<RecordedMachine>, maxIdleDelaySeconds = 900) {
  const { context, host } = recordedContext(
    { platform: 'linux', homeDir: '/home/alice', now: new Date(), ...machine },
    { maxIdleDelaySeconds },
  );
  return { host, finding: checkScreenLockLinux.run(context) };
}

describe('checkScreenLock.linux', () => {
  it('passes GNOME with lock on and idle-delay 300 s (desktop from XDG_CURRENT_DESKTOP)', async () => {
    const { finding } = run({ env: { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }, commands: gnomeDefaults });
    expect(await finding).toMatchObject({
      status: 'pass',
      observed: 'GNOME: lock-enabled true, idle-delay 300 s, lock-delay 0 s',
    });
  });

  it('finds GNOME from a running gnome-shell when the environment says nothing (e.g. over ssh)', async () => {
    const proc = linuxProc('linux/proc-ubuntu-gnome.tsv');
    const { finding } = run({ ...proc, commands: gnomeDefaults });
    expect((await finding).status).toBe('pass');
  });

  it('fails GNOME when the lock is off, the screen never blanks, or the delay exceeds the limit', async () => {
    const env = { XDG_CURRENT_DESKTOP: 'GNOME' };
    const lockOff = gsettings(
      'org.gnome.desktop.screensaver',
      'lock-enabled',
      'gsettings-lock-enabled-false.txt',
    );
    const off = run({ env, commands: [lockOff, idle300, ...rest] });
    expect((await off.finding).status).toBe('fail');
    const never = run({
      env,
      commands: [
        lockOn,
        gsettings('org.gnome.desktop.session', 'idle-delay', 'gsettings-idle-delay-0.txt'),
        ...rest,
      ],
    });
    expect((await never.finding).status).toBe('fail');
    const tooLong = run({ env, commands: gnomeDefaults }, 120);
    expect((await tooLong.finding).status).toBe('fail');
  });

  it("answers unknown when the running gnome-shell is another user's (the check runs under sudo or as a service)", async () => {
    const { finding, host } = run({
      ...linuxProc('linux/proc-ubuntu-gnome.tsv', '0'),
      commands: gnomeDefaults,
    });
    const result = await finding;
    expect(result).toMatchObject({
      status: 'unknown',
      observed: "gnome-shell runs as uid 1000, this check as uid 0: not this user's session",
    });
    expect(host.calls.some((call) => call.startsWith('gsettings'))).toBe(false);
  });

  it('answers unknown, without asking gsettings, when there is no desktop session (gsettings would report defaults)', async () => {
    const { finding, host } = run({
      ...linuxProc('linux/proc-kde-plasma.tsv'),
      dirs: { '/proc': ['1', '2'] },
      commands: gnomeDefaults,
    });
    const result = await finding;
    expect(result.status).toBe('unknown');
    expect(result.observed).toMatch(/no desktop session/);
    expect(host.calls.some((call) => call.startsWith('gsettings'))).toBe(false);
  });

  it('answers unknown when the GNOME schema is missing or /proc cannot be listed', async () => {
    const missing = run({
      env: { XDG_CURRENT_DESKTOP: 'GNOME' },
      commands: [
        { file: 'gsettings', result: recorded.exited(1, readFixture('linux/gsettings-no-such-schema.txt')) },
      ],
    });
    expect((await missing.finding).status).toBe('unknown');
    const noProc = run({ dirs: { '/proc': { failure: 'permission_denied' } } });
    expect((await noProc.finding).status).toBe('unknown');
    const other = run({ env: { XDG_CURRENT_DESKTOP: 'XFCE' } });
    expect((await other.finding).observed).toMatch(/XFCE.*cannot be read yet/);
  });

  it('reads KDE kscreenlockerrc: Timeout minutes plus LockGrace seconds, and defaults when absent', async () => {
    const env = { XDG_CURRENT_DESKTOP: 'KDE' };
    const custom = run({
      env,
      files: { '/home/alice/.config/kscreenlockerrc': readFixture('linux/kscreenlockerrc') },
    });
    expect(await custom.finding).toMatchObject({
      status: 'pass',
      observed: expect.stringContaining('Timeout 10 min, LockGrace 30 s'),
    });
    expect(
      (
        await run(
          { env, files: { '/home/alice/.config/kscreenlockerrc': readFixture('linux/kscreenlockerrc') } },
          600,
        ).finding
      ).status,
    ).toBe('fail');
    const defaults = run({ ...linuxProc('linux/proc-kde-plasma.tsv') });
    expect(await defaults.finding).toMatchObject({
      status: 'pass',
      observed: expect.stringContaining('KDE defaults'),
    });
    const off = run({
      env,
      files: { '/home/alice/.config/kscreenlockerrc': readFixture('linux/kscreenlockerrc-autolock-off') },
    });
    expect((await off.finding).status).toBe('fail');
    const denied = run({
      env,
      files: { '/home/alice/.config/kscreenlockerrc': { failure: 'permission_denied' } },
    });
    expect((await denied.finding).status).toBe('unknown');
  });
});
