import { readdirSync, readFileSync, type Dirent } from 'node:fs';
import { join } from 'node:path';

/**
 * Every file under `dirs` that contains one of `secrets` (raw, or base64/base64url/hex encoded, in
 * case something wrote it encoded). Returns `path: which secret` pairs; empty means clean.
 */
export function findSecretsInFiles(dirs: readonly string[], secrets: Record<string, string>): string[] {
  const needles = Object.entries(secrets).flatMap(([name, value]) =>
    [
      value,
      Buffer.from(value).toString('base64'),
      Buffer.from(value).toString('base64url'),
      Buffer.from(value).toString('hex'),
    ].map((n) => ({ name, bytes: Buffer.from(n) })),
  );
  const hits: string[] = [];
  const walk = (dir: string): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) {
        const content = readFileSync(path);
        for (const needle of needles)
          if (content.includes(needle.bytes)) hits.push(`${path}: ${needle.name}`);
      }
    }
  };
  for (const dir of dirs) walk(dir);
  return [...new Set(hits)];
}
