import { describe, expect, it } from 'vitest';
import { recorded, RecordedPostureHost } from '../posture/RecordedPostureHost.js';
import { platformFactsSchema } from '../protocol/deviceApi.js';
import { collectPlatformFacts } from './collectPlatformFacts.js';

const system = (hostname = 'ada-laptop', release = '6.1.0-28-amd64') => ({
  hostname: () => hostname,
  release: () => release,
});
const at = { homeDir: '/home/ada', now: new Date('2026-11-26T00:00:00Z') };

describe('collectPlatformFacts', () => {
  it('Linux: os-release name, DMI model; a root-only serial is absent, not guessed', async () => {
    const host = new RecordedPostureHost({
      ...at,
      platform: 'linux',
      files: {
        '/etc/os-release':
          'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n',
        '/sys/class/dmi/id/product_name': '20XW0055GE\n',
        '/sys/class/dmi/id/product_serial': { failure: 'permission_denied' },
      },
    });
    const facts = await collectPlatformFacts(host, system());
    expect(facts).toEqual({
      os: 'linux',
      osVersion: 'Debian GNU/Linux 12 (bookworm) (kernel 6.1.0-28-amd64)',
      hostname: 'ada-laptop',
      model: '20XW0055GE',
    });
    expect(platformFactsSchema.parse(facts)).toEqual(facts);
  });

  it('Linux: vendor placeholders and control characters are dropped; missing files fall back', async () => {
    const host = new RecordedPostureHost({
      ...at,
      platform: 'linux',
      files: {
        '/sys/class/dmi/id/product_name': 'To Be Filled By O.E.M.\n',
        '/sys/class/dmi/id/product_serial': 'SN\u001b[31m42\n',
      },
    });
    const facts = await collectPlatformFacts(host, system('box\u0007'));
    expect(facts).toEqual({ os: 'linux', osVersion: '6.1.0-28-amd64', hostname: 'box', serial: 'SN [31m42' });
  });

  it('macOS: product version and model through sw_vers and sysctl', async () => {
    const host = new RecordedPostureHost({
      ...at,
      platform: 'darwin',
      commands: [
        { file: 'sw_vers', args: ['-productVersion'], result: recorded.ok('14.6.1\n') },
        { file: 'sysctl', args: ['-n', 'hw.model'], result: recorded.ok('MacBookPro18,3\n') },
      ],
    });
    expect(await collectPlatformFacts(host, system('ada-mbp', '23.6.0'))).toEqual({
      os: 'darwin',
      osVersion: 'macOS 14.6.1',
      hostname: 'ada-mbp',
      model: 'MacBookPro18,3',
    });
  });

  it('Windows: the release only (no model without WMI)', async () => {
    const host = new RecordedPostureHost({ ...at, platform: 'win32' });
    expect(await collectPlatformFacts(host, system('ADA-PC', '10.0.22631'))).toEqual({
      os: 'win32',
      osVersion: '10.0.22631',
      hostname: 'ADA-PC',
    });
  });
});
