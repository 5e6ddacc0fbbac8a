import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { identifyProcessFor, signalZeroIdentity } from '../../agent/processIdentity.js';
import { sleepers } from '../../agent/fixtures/sleepers.test-support.js';
import { processIdentityLinux } from '../../agent/processIdentity.linux.js';
import { StrongroomError } from '../../errors/StrongroomError.js';
import { checkTokenHolder } from './checkTokenHolder.js';

const sleeper = sleepers();
const me = process.getuid?.() ?? null;
const codeOf = (run: () => unknown): string | undefined => {
  try {
    run();
    return undefined;
  } catch (error) {
    return error instanceof StrongroomError ? error.code : 'not a StrongroomError';
  }
};

describe.runIf(process.platform === 'linux')('checkTokenHolder (real processes)', () => {
  const identify = identifyProcessFor('linux');

  it('takes a running process of the caller’s user, with the start time the caller saw', () => {
    const pid = sleeper().pid ?? 0;
    const start = processIdentityLinux(pid)?.start ?? '';
    expect(checkTokenHolder({ holderPid: pid, holderStart: start }, me, identify)).toEqual({
      pid,
      identity: { start, uid: me },
    });
    expect(checkTokenHolder({}, me, identify)).toBeUndefined();
  });

  it('refuses a process that is gone, or one that is not the process the caller saw (a reused pid)', async () => {
    const child = sleeper();
    const pid = child.pid ?? 0;
    const start = processIdentityLinux(pid)?.start ?? '0';
    expect(codeOf(() => checkTokenHolder({ holderPid: pid, holderStart: `${start}1` }, me, identify))).toBe(
      'usage',
    );
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(codeOf(() => checkTokenHolder({ holderPid: pid, holderStart: start }, me, identify))).toBe(
      'usage',
    );
  });

  it('refuses another user’s process: a token cannot follow (or be kept alive by) someone else’s', () => {
    // As root, a real process of `nobody`; otherwise init, which is root's.
    const pid = me === 0 ? (sleeper({ uid: 65534, gid: 65534 }).pid ?? 0) : 1;
    expect(codeOf(() => checkTokenHolder({ holderPid: pid }, me, identify))).toBe('denied');
    // The caller's uid is what counts, not the agent's: a peer of another uid cannot name ours.
    const mine = sleeper().pid ?? 0;
    expect(codeOf(() => checkTokenHolder({ holderPid: mine }, (me ?? 0) + 1, identify))).toBe('denied');
  });
});

describe('checkTokenHolder with signal 0 (macOS, Windows)', () => {
  it('takes a live process it may signal; refuses a dead one', async () => {
    const child = sleeper();
    const pid = child.pid ?? 0;
    expect(checkTokenHolder({ holderPid: pid, holderStart: '123' }, me, signalZeroIdentity)?.pid).toBe(pid);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(codeOf(() => checkTokenHolder({ holderPid: pid }, me, signalZeroIdentity))).toBe('usage');
  });

  it.runIf(me !== 0 && process.platform !== 'win32')(
    'refuses a process it may not signal (EPERM: another user’s)',
    () => {
      expect(codeOf(() => checkTokenHolder({ holderPid: 1 }, me, signalZeroIdentity))).toBe('denied');
    },
  );
});
