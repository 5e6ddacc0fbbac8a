import { describe, expect, it } from 'vitest';
import { checkFirewallDarwin } from './checkFirewall.darwin.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

function run(result: ExecResult) {
  const { context } = recordedContext({
    platform: 'darwin',
    homeDir: '/Users/alice',
    now: new Date(),
    commands: [
      { file: '/usr/libexec/ApplicationFirewall/socketfilterfw', args: ['--getglobalstate'], result },
    ],
  });
  return checkFirewallDarwin.run(context);
}

describe('checkFirewall.darwin', () => {
  it('passes for State = 1 and State = 2 (block all), fails for State = 0', async () => {
    expect((await run(recorded.ok(readFixture('darwin/socketfilterfw-enabled.txt')))).status).toBe('pass');
    expect((await run(recorded.ok(readFixture('darwin/socketfilterfw-block-all.txt')))).status).toBe('pass');
    expect((await run(recorded.ok(readFixture('darwin/socketfilterfw-disabled.txt')))).status).toBe('fail');
  });

  it('answers unknown for output without a state number, a missing tool or denial', async () => {
    expect((await run(recorded.ok(readFixture('darwin/socketfilterfw-de.txt')))).status).toBe('unknown');
    expect((await run(recorded.failed('not_found'))).status).toBe('unknown');
    expect((await run(recorded.failed('permission_denied'))).status).toBe('unknown');
  });
});
