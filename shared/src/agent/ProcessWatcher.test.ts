import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { TerminalRevocationReason } from '../protocol/clientAuditApi.js';
import { ManualClock } from './fixtures/ManualClock.js';
import { sleepers } from './fixtures/sleepers.test-support.js';
import { identifyProcessFor, signalZeroIdentity } from './processIdentity.js';
import { parseStatFields, processIdentityLinux } from './processIdentity.linux.js';
import { ProcessWatcher } from './ProcessWatcher.js';
import { TerminalTokens } from './TerminalTokens.js';

const linux = process.platform === 'linux';
const sleeper = sleepers();

/** A token held by a real `sleep`, as `strongroom env aws` ties one to the shell. */
function heldToken(watcher: ProcessWatcher, pid: number, identity = processIdentityLinux(pid)) {
  const tokens = new TerminalTokens(new ManualClock());
  const revoked: TerminalRevocationReason[] = [];
  tokens.onRevoke((_entry, reason) => revoked.push(reason));
  const created = tokens.create({ label: 'shell', grantId: 'g1', expiresAt: Date.UTC(2100, 0, 1) });
  if (identity === undefined) throw new Error(`process ${String(pid)} is not running`);
  watcher.watch(pid, identity, () => tokens.revoke(created.terminalId, 'holder-exited'));
  return { tokens, token: created.token, revoked };
}

describe.runIf(linux)('ProcessWatcher with real processes (Linux /proc)', () => {
  it('revokes the token when the holder process exits, and only then', async () => {
    const watcher = new ProcessWatcher({ identify: identifyProcessFor('linux') });
    const child = sleeper();
    const { tokens, token, revoked } = heldToken(watcher, child.pid ?? 0);
    watcher.check();
    expect(tokens.verify(token)).toBeDefined();
    child.kill('SIGTERM');
    await once(child, 'exit');
    watcher.check();
    expect(tokens.verify(token)).toBeUndefined();
    expect(revoked).toEqual(['holder-exited']);
    expect(watcher.size).toBe(0);
    watcher.close();
  });

  it('the timer does the checking (unref’d, one for every watch), and stops when nothing is watched', async () => {
    const watcher = new ProcessWatcher({ identify: identifyProcessFor('linux'), intervalMs: 20 });
    const [a, b] = [sleeper(), sleeper()];
    const held = [heldToken(watcher, a.pid ?? 0), heldToken(watcher, b.pid ?? 0)];
    a.kill('SIGKILL');
    await once(a, 'exit');
    while (held[0]?.tokens.verify(held[0].token) !== undefined) await new Promise((r) => setTimeout(r, 10));
    expect(held[1]?.tokens.verify(held[1].token)).toBeDefined();
    expect(watcher.size).toBe(1);
    watcher.close();
  });

  it('a reused pid cannot keep the token alive: another start time is another process', () => {
    const watcher = new ProcessWatcher({ identify: identifyProcessFor('linux') });
    const child = sleeper();
    const pid = child.pid ?? 0;
    const now = processIdentityLinux(pid);
    expect(now?.start).toMatch(/^\d+$/);
    // What the agent recorded for the holder that had this pid before it exited and the pid came back.
    const { tokens, token, revoked } = heldToken(watcher, pid, {
      start: String(Number(now?.start) - 1),
      uid: now?.uid ?? null,
    });
    watcher.check();
    expect(tokens.verify(token)).toBeUndefined();
    expect(revoked).toEqual(['holder-exited']);
  });

  it.runIf(process.getuid?.() === 0)('nor can a process of another user that got the pid', () => {
    const watcher = new ProcessWatcher({ identify: identifyProcessFor('linux') });
    const child = sleeper({ uid: 65534, gid: 65534 });
    const pid = child.pid ?? 0;
    const theirs = processIdentityLinux(pid);
    expect(theirs?.uid).toBe(65534);
    const { tokens, token } = heldToken(watcher, pid, { start: theirs?.start ?? null, uid: 0 });
    watcher.check();
    expect(tokens.verify(token)).toBeUndefined();
  });

  it('a zombie has exited; a pid that never existed is gone', async () => {
    expect(processIdentityLinux(2 ** 22 + 12345)).toBeUndefined();
    expect(processIdentityLinux(0)).toBeUndefined();
    expect(processIdentityLinux(process.pid)).toEqual({
      start: expect.stringMatching(/^\d+$/) as unknown,
      uid: process.getuid?.(),
    });
  });
});

describe('process identity parsing and the signal-0 probe', () => {
  it('counts /proc/<pid>/stat fields from the last parenthesis (names may hold spaces and parentheses)', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    fields[0] = 'S';
    fields[1] = '4242';
    fields[19] = '987654';
    expect(parseStatFields(`77 (a) (b c)) ${fields.join(' ')}`)).toEqual({
      state: 'S',
      ppid: 4242,
      start: '987654',
    });
    expect(parseStatFields('77 (short) S 1')).toBeUndefined();
  });

  it('signal 0: ours is alive with no start time, a dead pid is gone', async () => {
    expect(signalZeroIdentity(process.pid)).toEqual({ start: null, uid: null });
    const child = sleeper();
    const pid = child.pid ?? 0;
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(signalZeroIdentity(pid)).toBeUndefined();
    const watcher = new ProcessWatcher({ identify: signalZeroIdentity });
    let exited = 0;
    watcher.watch(pid, { start: null, uid: null }, () => (exited += 1));
    watcher.check();
    watcher.check();
    expect(exited).toBe(1);
  });
});
