import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BrokerError } from '../errors/BrokerError.js';

/** A bundle's files: relative POSIX path → UTF-8 content. */
export type BundleFiles = ReadonlyMap<string, string>;

const maxTotalBytes = 64 * 1024 * 1024;

/**
 * Reads every file of a bundle directory. Dotfiles are skipped (editor and VCS droppings); a
 * symbolic link is refused so the hash always covers what is evaluated.
 */
export async function readBundleDirectory(dir: string): Promise<BundleFiles> {
  const files = new Map<string, string>();
  let total = 0;
  const walk = async (abs: string, rel: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (cause) {
      throw new BrokerError('policy_invalid', `cannot read policy bundle directory ${abs}`, { cause });
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const childAbs = join(abs, entry.name);
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const stat = await lstat(childAbs);
      if (stat.isSymbolicLink())
        throw new BrokerError(
          'policy_invalid',
          `${childRel}: symbolic links are not allowed in a policy bundle`,
        );
      if (stat.isDirectory()) await walk(childAbs, childRel);
      else if (stat.isFile()) {
        total += stat.size;
        if (total > maxTotalBytes)
          throw new BrokerError('policy_invalid', `policy bundle is larger than ${maxTotalBytes} bytes`);
        files.set(childRel, await readFile(childAbs, 'utf8'));
      }
    }
  };
  await walk(dir, '');
  return files;
}
