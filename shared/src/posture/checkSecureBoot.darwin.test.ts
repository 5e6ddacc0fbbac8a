import { describe, expect, it } from 'vitest';
import { checkSecureBootDarwin } from './checkSecureBoot.darwin.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

function run(result: ExecResult) {
  const { context } = recordedContext({
    platform: 'darwin',
    homeDir: '/Users/alice',
    now: new Date(),
    commands: [{ file: 'system_profiler', args: ['SPiBridgeDataType'], result }],
  });
  return checkSecureBootDarwin.run(context);
}

describe('checkSecureBoot.darwin', () => {
  it('passes Full Security and fails Reduced Security', async () => {
    expect(
      (await run(recorded.ok(readFixture('darwin/system_profiler-SPiBridge-apple-silicon.txt')))).status,
    ).toBe('pass');
    expect((await run(recorded.ok(readFixture('darwin/system_profiler-SPiBridge-reduced.txt')))).status).toBe(
      'fail',
    );
  });

  it('answers unknown for German output, empty output (no T2) and a missing tool', async () => {
    expect((await run(recorded.ok(readFixture('darwin/system_profiler-SPiBridge-de.txt')))).status).toBe(
      'unknown',
    );
    expect((await run(recorded.ok(''))).status).toBe('unknown');
    expect((await run(recorded.failed('not_found'))).status).toBe('unknown');
  });
});
