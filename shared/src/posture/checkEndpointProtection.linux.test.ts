import { describe, expect, it } from 'vitest';
import { checkEndpointProtectionLinux } from './checkEndpointProtection.linux.js';
import { linuxProc } from './fixtures/linuxProc.js';
import { recordedContext } from './fixtures/recordedContext.js';
import type { RecordedMachine } from './RecordedPostureHost.js';

function run(
  linux: string[],
  machine: Pick<RecordedMachine, 'files' | 'dirs'> = linuxProc('linux/proc-ubuntu-gnome.tsv'),
) {
  const { context } = recordedContext(
    { platform: 'linux', homeDir: '/home/alice', now: new Date(), ...machine },
    { endpointProcesses: { linux } },
  );
  return checkEndpointProtectionLinux.run(context);
}

describe('checkEndpointProtection.linux', () => {
  it('passes when every configured name or path runs', async () => {
    const finding = await run(['falcon-sensor', '/opt/microsoft/mdatp/sbin/wdavdaemon', 'osqueryd']);
    expect(finding).toMatchObject({
      status: 'pass',
      observed: 'running: falcon-sensor, /opt/microsoft/mdatp/sbin/wdavdaemon, osqueryd',
    });
  });

  it('matches names longer than the 15 characters comm keeps through argv[0]', async () => {
    expect((await run(['mdatp_audisp_plugin'], linuxProc('linux/proc-kde-plasma.tsv'))).status).toBe('pass');
  });

  it('fails when one is missing, or a path differs (a same-named binary elsewhere does not count)', async () => {
    const finding = await run(['falcon-sensor', 'sentinelone-agent']);
    expect(finding).toMatchObject({ status: 'fail' });
    expect(finding.observed).toMatch(/^not running: sentinelone-agent/);
    expect((await run(['/usr/local/bin/falcon-sensor'])).status).toBe('fail');
  });

  it('keeps a long configured list within the report limits', async () => {
    const many = Array.from({ length: 32 }, (_, index) => `/opt/agent-${String(index)}/${'a'.repeat(200)}`);
    const finding = await run(many);
    expect(finding.status).toBe('fail');
    for (const text of [finding.observed, finding.expected, finding.fix])
      expect(text.length).toBeLessThanOrEqual(300);
  });

  it('answers unknown with nothing configured or /proc unreadable', async () => {
    expect((await run([])).status).toBe('unknown');
    expect(
      (await run(['falcon-sensor'], { dirs: { '/proc': { failure: 'permission_denied' } } })).status,
    ).toBe('unknown');
  });
});
