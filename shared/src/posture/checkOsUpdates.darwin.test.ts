import { describe, expect, it } from 'vitest';
import { checkOsUpdatesDarwin } from './checkOsUpdates.darwin.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

function run(history: ExecResult, plist: string | undefined, now: string, maxPatchAgeDays = 120) {
  const { context } = recordedContext(
    {
      platform: 'darwin',
      homeDir: '/Users/alice',
      now: new Date(now),
      commands: [
        { file: 'sw_vers', args: [], result: recorded.ok(readFixture('darwin/sw_vers.txt')) },
        { file: 'softwareupdate', args: ['--history'], result: history },
      ],
      files: plist === undefined ? {} : { '/Library/Receipts/InstallHistory.plist': plist },
    },
    { maxPatchAgeDays },
  );
  return checkOsUpdatesDarwin.run(context);
}

const plist = readFixture('darwin/InstallHistory.plist');

describe('checkOsUpdates.darwin', () => {
  it('takes the last macOS update from InstallHistory.plist, ignoring XProtect data and apps', async () => {
    const finding = await run(recorded.failed('timeout'), plist, '2026-11-26T12:00:00Z');
    expect(finding.status).toBe('pass');
    expect(finding.observed).toBe(
      'macOS 14.6.1 (23G93); last update "macOS Sonoma 14.6.1" 2026-08-19 (98 days ago)',
    );
    expect((await run(recorded.failed('timeout'), plist, '2026-11-26T12:00:00Z', 30)).status).toBe('fail');
  });

  it('reads softwareupdate --history in US order when the plist is unreadable', async () => {
    const finding = await run(
      recorded.ok(readFixture('darwin/softwareupdate-history.txt')),
      undefined,
      '2026-11-26T12:00:00Z',
    );
    expect(finding.status).toBe('pass');
    expect(finding.observed).toContain('"macOS Sonoma 14.6.1" 2026-08-19');
  });

  it('reads German day-first dates, and takes the older reading when the order is ambiguous', async () => {
    const german = await run(
      recorded.ok(readFixture('darwin/softwareupdate-history-de.txt')),
      undefined,
      '2026-11-26T12:00:00Z',
    );
    expect(german.observed).toContain('2026-08-19');
    // 11/10 is 10 Nov (US) or 11 Oct; 09/08 is 8 Sep or 9 Aug. The older newest-date wins: 11 Oct.
    const ambiguous = await run(
      recorded.ok(readFixture('darwin/softwareupdate-history-ambiguous.txt')),
      undefined,
      '2026-11-26T12:00:00Z',
      30,
    );
    expect(ambiguous.status).toBe('fail');
    expect(ambiguous.observed).toContain('2026-10-11');
    expect(ambiguous.observed).toContain('older reading used');
  });

  it('answers unknown when neither source has an update it understands', async () => {
    const finding = await run(
      recorded.failed('not_found'),
      '<plist><array></array></plist>',
      '2026-11-26T12:00:00Z',
    );
    expect(finding.status).toBe('unknown');
    expect(
      (await run(recorded.ok(readFixture('linux/garbage.txt')), undefined, '2026-11-26T12:00:00Z')).status,
    ).toBe('unknown');
  });
});
