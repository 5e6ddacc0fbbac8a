import { describe, expect, it } from 'vitest';
import { checkScreenLockDarwin } from './checkScreenLock.darwin.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

// sysadminctl writes its answer to stderr.
const lock = (fixture: string) => recorded.ok('', readFixture(`darwin/${fixture}`));
const saverMissing = recorded.exited(1, readFixture('darwin/defaults-idleTime-missing.txt'));

function run(screenLock: ExecResult, pmset: ExecResult, idleTime: ExecResult, maxIdleDelaySeconds = 900) {
  const { context } = recordedContext(
    {
      platform: 'darwin',
      homeDir: '/Users/alice',
      now: new Date(),
      commands: [
        { file: 'sysadminctl', args: ['-screenLock', 'status'], result: screenLock },
        { file: 'pmset', args: ['-g'], result: pmset },
        {
          file: 'defaults',
          args: ['-currentHost', 'read', 'com.apple.screensaver', 'idleTime'],
          result: idleTime,
        },
      ],
    },
    { maxIdleDelaySeconds },
  );
  return checkScreenLockDarwin.run(context);
}

describe('checkScreenLock.darwin', () => {
  it('passes: immediate lock, display sleeps after 10 min, screen saver unset', async () => {
    const finding = await run(
      lock('sysadminctl-screenlock-immediate.txt'),
      recorded.ok(readFixture('darwin/pmset-g.txt')),
      saverMissing,
    );
    expect(finding).toMatchObject({
      status: 'pass',
      observed: 'lock delay 0 s, display sleep 10 min, screen saver not set (locks after 600 s)',
    });
  });

  it('fails: lock delay pushes past the limit, lock off, or nothing ever starts it', async () => {
    const pmset = recorded.ok(readFixture('darwin/pmset-g.txt'));
    expect((await run(lock('sysadminctl-screenlock-300.txt'), pmset, saverMissing, 600)).status).toBe('fail');
    expect((await run(lock('sysadminctl-screenlock-off.txt'), pmset, saverMissing)).status).toBe('fail');
    const never = await run(
      lock('sysadminctl-screenlock-immediate.txt'),
      recorded.ok(readFixture('darwin/pmset-g-display-never.txt')),
      saverMissing,
    );
    expect(never.status).toBe('fail');
    expect(never.observed).toMatch(/never locks/);
  });

  it('uses the screen saver when it starts before the display sleeps', async () => {
    const finding = await run(
      lock('sysadminctl-screenlock-immediate.txt'),
      recorded.ok(readFixture('darwin/pmset-g-display-never.txt')),
      recorded.ok(readFixture('darwin/defaults-idleTime-1200.txt')),
      1200,
    );
    expect(finding.status).toBe('pass');
  });

  it('answers unknown when sysadminctl is unreadable, or the idle triggers cannot be read', async () => {
    expect((await run(recorded.failed('not_found'), recorded.failed('not_found'), saverMissing)).status).toBe(
      'unknown',
    );
    expect(
      (await run(recorded.ok('', 'Ein Fehler ist aufgetreten'), recorded.ok(''), saverMissing)).status,
    ).toBe('unknown');
    const blind = await run(
      lock('sysadminctl-screenlock-immediate.txt'),
      recorded.failed('timeout'),
      recorded.failed('timeout'),
    );
    expect(blind.status).toBe('unknown');
  });
});
