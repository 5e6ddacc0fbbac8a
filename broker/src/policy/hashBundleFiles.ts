import { createHash } from 'node:crypto';
import type { BundleFiles } from './readBundleDirectory.js';

/**
 * The bundle's content hash, recorded with every decision. SHA-256 over a canonical listing: for
 * each file in code-point order of its relative POSIX path, `path NUL sha256(content) LF`. Paths
 * and contents are both covered, so renaming, adding or editing any file changes the hash, and the
 * same files always give the same hash whatever the directory or the order they were read in.
 */
export function hashBundleFiles(files: BundleFiles): string {
  const listing = createHash('sha256');
  for (const path of [...files.keys()].sort(comparePaths)) {
    const content = createHash('sha256')
      .update(files.get(path) ?? '', 'utf8')
      .digest('hex');
    listing.update(`${path}\0${content}\n`, 'utf8');
  }
  return `sha256:${listing.digest('hex')}`;
}

function comparePaths(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
