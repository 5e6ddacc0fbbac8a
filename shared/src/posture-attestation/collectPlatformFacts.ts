import { hostname as osHostname, release as osRelease } from 'node:os';
import type { PostureHost } from '../posture/PostureHost.js';
import type { PlatformFacts } from '../protocol/deviceApi.js';

export interface SystemNames {
  hostname(): string;
  /** Kernel release, the fallback OS version. */
  release(): string;
}

const nodeSystem: SystemNames = { hostname: osHostname, release: osRelease };
const clean = (text: string, max = 200): string | undefined => {
  // eslint-disable-next-line no-control-regex -- strip control characters from machine-provided text
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return flat === '' ? undefined : flat.slice(0, max);
};

// DMI placeholders that vendors ship instead of a real value.
const placeholder = /^(to be filled by o\.e\.m\.|default string|system product name|not specified|none|0+)$/i;

async function readText(host: PostureHost, path: string): Promise<string | undefined> {
  const read = await host.readFile(path);
  if (!read.ok) return undefined;
  const text = clean(new TextDecoder().decode(read.data).split('\n')[0] ?? '');
  return text === undefined || placeholder.test(text) ? undefined : text;
}

async function linuxVersion(host: PostureHost): Promise<string | undefined> {
  const read = await host.readFile('/etc/os-release');
  if (!read.ok) return undefined;
  const line = new TextDecoder()
    .decode(read.data)
    .split('\n')
    .find((l) => l.startsWith('PRETTY_NAME='));
  return line === undefined ? undefined : clean(line.slice('PRETTY_NAME='.length).replace(/^"|"$/g, ''));
}

async function commandLine(
  host: PostureHost,
  file: string,
  args: readonly string[],
): Promise<string | undefined> {
  const run = await host.exec(file, args, { timeoutMs: 2000 });
  return run.exitCode === 0 ? clean(run.stdout.split('\n')[0] ?? '') : undefined;
}

/**
 * What the broker records about this machine at enrollment, read without root: OS and version,
 * host name, and model and serial where the platform lets an ordinary user read them (Linux DMI
 * `product_serial` is usually root-only, so it is usually absent: absent, not guessed).
 */
export async function collectPlatformFacts(
  host: PostureHost,
  system: SystemNames = nodeSystem,
): Promise<PlatformFacts> {
  const release = clean(system.release()) ?? 'unknown';
  let osVersion: string | undefined;
  let model: string | undefined;
  let serial: string | undefined;
  if (host.platform === 'linux') {
    osVersion = await linuxVersion(host);
    model = await readText(host, '/sys/class/dmi/id/product_name');
    serial = await readText(host, '/sys/class/dmi/id/product_serial');
    osVersion = osVersion === undefined ? release : `${osVersion} (kernel ${release})`;
  } else if (host.platform === 'darwin') {
    const product = await commandLine(host, 'sw_vers', ['-productVersion']);
    osVersion = product === undefined ? release : `macOS ${product}`;
    model = await commandLine(host, 'sysctl', ['-n', 'hw.model']);
  } else {
    osVersion = release;
  }
  return {
    os: host.platform,
    osVersion: osVersion ?? release,
    hostname: clean(system.hostname(), 253) ?? 'unknown',
    ...(model === undefined ? {} : { model }),
    ...(serial === undefined ? {} : { serial }),
  };
}
