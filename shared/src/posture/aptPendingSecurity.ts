import type { PostureCheckContext } from './PostureCheck.js';
import { compareDebianVersions } from './compareDebianVersions.js';
import { describeExecFailure } from './describeExecFailure.js';

export type AptSecurityState =
  | { readonly kind: 'not_apt' }
  | { readonly kind: 'unreadable'; readonly detail: string }
  | { readonly kind: 'read'; readonly pending: readonly string[] };

const listsDir = '/var/lib/apt/lists';
// apt keeps index files compressed when configured to (Acquire::GzipIndexes, or lz4 on images).
const decompressors: Readonly<Record<string, string>> = { lz4: 'lz4', gz: 'gzip', xz: 'xz', zst: 'zstd' };
const decoder = new TextDecoder();

/**
 * `Package` → highest `Version` over the stanzas of a Packages or dpkg status file. One pass over the
 * field lines that matter (a stanza starts with `Package:`): Ubuntu's security lists run to tens of MB.
 */
function versions(text: string, installedOnly: boolean): Map<string, string> {
  const found = new Map<string, string>();
  let name: string | undefined;
  let installed = !installedOnly;
  for (const [, field, value = ''] of text.matchAll(/^(Package|Status|Version): (.+)$/gm)) {
    if (field === 'Package') {
      name = value.trim();
      installed = !installedOnly;
    } else if (field === 'Status') {
      installed = value.trim() === 'install ok installed';
    } else if (name !== undefined && installed) {
      const version = value.trim();
      const known = found.get(name);
      if (known === undefined || compareDebianVersions(version, known) > 0) found.set(name, version);
      name = undefined;
    }
  }
  return found;
}

async function readList(context: PostureCheckContext, name: string): Promise<string | { failure: string }> {
  const path = `${listsDir}/${name}`;
  const extension = /\.(lz4|gz|xz|zst)$/.exec(name)?.[1];
  const tool = extension ? decompressors[extension] : undefined;
  if (!tool) {
    const file = await context.host.readFile(path);
    return file.ok ? decoder.decode(file.data) : { failure: `${path}: ${file.detail}` };
  }
  const result = await context.host.exec(tool, ['-dc', path], { timeoutMs: context.options.checkTimeoutMs });
  const failure = describeExecFailure(`${tool} -dc`, result);
  return failure ? { failure } : result.stdout;
}

/**
 * Installed packages for which the security pocket's package lists (as of the last `apt update`)
 * hold a newer version: security fixes that are published and not installed. Read from apt's own
 * files, not `apt-get -s upgrade`, which costs seconds of CPU on every posture run.
 */
export async function aptPendingSecurity(context: PostureCheckContext): Promise<AptSecurityState> {
  const lists = await context.host.readDir(listsDir);
  if (!lists.ok)
    return lists.failure === 'not_found'
      ? { kind: 'not_apt' }
      : { kind: 'unreadable', detail: `${listsDir}: ${lists.detail}` };
  const security = lists.entries.filter(
    (name) => /security/i.test(name) && /_Packages(\.(lz4|gz|xz|zst))?$/.test(name),
  );
  if (security.length === 0)
    return { kind: 'unreadable', detail: 'no security package lists in /var/lib/apt/lists' };
  const [status, ...texts] = await Promise.all([
    context.host.readFile('/var/lib/dpkg/status'),
    ...security.map((name) => readList(context, name)),
  ]);
  if (!status?.ok)
    return { kind: 'unreadable', detail: `/var/lib/dpkg/status: ${status?.detail ?? 'not read'}` };
  const unreadable = texts.find((text): text is { failure: string } => typeof text !== 'string');
  if (unreadable) return { kind: 'unreadable', detail: unreadable.failure };
  const published = new Map<string, string>();
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    for (const [name, version] of versions(text, false)) {
      const known = published.get(name);
      if (known === undefined || compareDebianVersions(version, known) > 0) published.set(name, version);
    }
  }
  const installed = versions(decoder.decode(status.data), true);
  const pending = [...installed]
    .filter(([name, version]) => {
      const fixed = published.get(name);
      return fixed !== undefined && compareDebianVersions(fixed, version) > 0;
    })
    .map(([name]) => name)
    .sort();
  return { kind: 'read', pending };
}
