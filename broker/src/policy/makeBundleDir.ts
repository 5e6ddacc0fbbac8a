import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { defaultPolicyBundleDir } from './defaultPolicyBundleDir.js';

/**
 * Test fixture: a copy of the default bundle in a fresh temporary directory, with `changes`
 * applied (path → new content, or null to delete). Returns the directory and its cleanup.
 */
export async function makeBundleDir(
  changes: Record<string, string | null> = {},
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'strongroom-bundle-'));
  await cp(defaultPolicyBundleDir(), dir, { recursive: true });
  for (const [path, content] of Object.entries(changes)) {
    const target = join(dir, path);
    if (content === null) await rm(target, { force: true });
    else {
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, content);
    }
  }
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
