import { describe, expect, it } from 'vitest';
import { checkEndpointProtectionDarwin } from './checkEndpointProtection.darwin.js';
import { readFixture } from './fixtures/readFixture.js';
import { recordedContext } from './fixtures/recordedContext.js';
import { recorded } from './RecordedPostureHost.js';
import type { ExecResult } from './PostureHost.js';

function run(darwin: string[], ps: ExecResult = recorded.ok(readFixture('darwin/ps-axww-comm.txt'))) {
  const { context } = recordedContext(
    {
      platform: 'darwin',
      homeDir: '/Users/alice',
      now: new Date(),
      commands: [{ file: 'ps', args: ['-axww', '-o', 'comm='], result: ps }],
    },
    { endpointProcesses: { darwin } },
  );
  return checkEndpointProtectionDarwin.run(context);
}

describe('checkEndpointProtection.darwin', () => {
  it('passes by name and by full path', async () => {
    expect((await run(['falcond', '/Applications/Falcon.app/Contents/Resources/falcond'])).status).toBe(
      'pass',
    );
  });

  it('fails when a configured agent is not running', async () => {
    expect((await run(['falcond', 'SentinelAgent'])).observed).toBe('not running: SentinelAgent');
  });

  it('answers unknown with nothing configured, ps missing or an empty listing', async () => {
    expect((await run([])).status).toBe('unknown');
    expect((await run(['falcond'], recorded.failed('not_found'))).status).toBe('unknown');
    expect((await run(['falcond'], recorded.ok(''))).status).toBe('unknown');
  });
});
