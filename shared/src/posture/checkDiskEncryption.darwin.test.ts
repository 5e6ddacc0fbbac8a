import { describe, expect, it } from 'vitest';
import { checkDiskEncryptionDarwin } from './checkDiskEncryption.darwin.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

async function run(result: ExecResult, homeDir = '/Users/alice') {
  const { context } = recordedContext({
    platform: 'darwin',
    homeDir,
    now: new Date(),
    commands: [{ file: 'fdesetup', args: ['status'], result }],
  });
  return checkDiskEncryptionDarwin.run(context);
}

describe('checkDiskEncryption.darwin', () => {
  it('passes when FileVault is On', async () => {
    const finding = await run(recorded.ok(readFixture('darwin/fdesetup-status-on.txt')));
    expect(finding).toMatchObject({ status: 'pass', observed: 'FileVault is On.' });
  });

  it('fails when FileVault is Off, and while encryption is still in progress', async () => {
    expect((await run(recorded.ok(readFixture('darwin/fdesetup-status-off.txt')))).status).toBe('fail');
    const encrypting = await run(recorded.ok(readFixture('darwin/fdesetup-status-encrypting.txt')));
    expect(encrypting).toMatchObject({
      status: 'fail',
      observed: 'FileVault encryption in progress (37.2%)',
    });
  });

  it('answers unknown for German output, a missing tool, a timeout and a home on an external volume', async () => {
    expect((await run(recorded.ok(readFixture('darwin/fdesetup-status-de.txt')))).status).toBe('unknown');
    expect((await run(recorded.failed('not_found'))).status).toBe('unknown');
    expect((await run(recorded.failed('timeout'))).status).toBe('unknown');
    expect(
      (await run(recorded.ok(readFixture('darwin/fdesetup-status-on.txt')), '/Volumes/Work/alice')).status,
    ).toBe('unknown');
  });
});
