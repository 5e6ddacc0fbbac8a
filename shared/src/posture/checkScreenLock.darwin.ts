import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { describeExecFailure } from './describeExecFailure.js';

const fix =
  'Require a password immediately after the display turns off or the screen saver starts (System Settings → Lock Screen), and turn the display off within the limit.';

export const checkScreenLockDarwin: PostureCheck = {
  id: 'screen_lock',
  async run(context) {
    const { host, options } = context;
    const max = options.maxIdleDelaySeconds;
    const expected = `the Mac asks for a password within ${String(max)} s of idle (display sleep or screen saver, plus the lock delay)`;
    const timeoutMs = options.checkTimeoutMs;
    const [lock, power, saver] = await Promise.all([
      host.exec('sysadminctl', ['-screenLock', 'status'], { timeoutMs }),
      host.exec('pmset', ['-g'], { timeoutMs }),
      host.exec('defaults', ['-currentHost', 'read', 'com.apple.screensaver', 'idleTime'], { timeoutMs }),
    ]);

    // sysadminctl logs its answer on stderr, behind an NSLog timestamp.
    const lockFailure = describeExecFailure('sysadminctl -screenLock status', lock);
    const lockText = `${lock.stdout}\n${lock.stderr}`;
    if (lockFailure) return unknown(lockFailure, expected, fix);
    if (/screenLock is off/.test(lockText)) return failed('screen lock is off', expected, fix);
    const delayMatch = /screenLock delay is (immediate|(\d+) seconds?)/.exec(lockText);
    if (!delayMatch) return unknown('sysadminctl -screenLock status: output not understood', expected, fix);
    const lockDelay = delayMatch[1] === 'immediate' ? 0 : Number(delayMatch[2]);

    // What starts the lock: the display sleeping (pmset, minutes) or the screen saver (seconds); 0 is never.
    const displaySleepMinutes = describeExecFailure('pmset -g', power)
      ? undefined
      : /^\s*displaysleep\s+(\d+)/m.exec(power.stdout)?.[1];
    const saverUnset = saver.exitCode !== 0 && /does not exist/.test(saver.stderr);
    const saverSeconds = describeExecFailure('defaults read idleTime', saver)
      ? undefined
      : /^\s*(\d+)\s*$/.exec(saver.stdout)?.[1];
    if (displaySleepMinutes === undefined && saverSeconds === undefined && !saverUnset) {
      return unknown(
        `lock delay ${String(lockDelay)} s; display sleep and screen saver idle time unreadable`,
        expected,
        fix,
      );
    }
    const triggers = [
      ...(displaySleepMinutes !== undefined && Number(displaySleepMinutes) > 0
        ? [Number(displaySleepMinutes) * 60]
        : []),
      ...(saverSeconds !== undefined && Number(saverSeconds) > 0 ? [Number(saverSeconds)] : []),
    ];
    const describe = [
      `lock delay ${String(lockDelay)} s`,
      `display sleep ${displaySleepMinutes === undefined ? 'unreadable' : `${displaySleepMinutes} min`}`,
      `screen saver ${saverSeconds === undefined ? (saverUnset ? 'not set' : 'unreadable') : `${saverSeconds} s`}`,
    ].join(', ');
    if (triggers.length === 0) {
      // Nothing readable ever starts the lock; if one reading failed, that one might have.
      const allRead = displaySleepMinutes !== undefined && (saverSeconds !== undefined || saverUnset);
      return allRead
        ? failed(`${describe}: the screen never locks on idle`, expected, fix)
        : unknown(describe, expected, fix);
    }
    const total = Math.min(...triggers) + lockDelay;
    return total <= max
      ? passed(`${describe} (locks after ${String(total)} s)`, expected)
      : failed(`${describe} (locks after ${String(total)} s)`, expected, fix);
  },
};
