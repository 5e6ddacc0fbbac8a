import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

describe('credentials stay in the keychain vault (issue 8)', () => {
  it('no desktop code uses web storage, safeStorage, files for secrets, or innerHTML', () => {
    const files = sources(SRC);
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      // Code only: comments may name what is avoided.
      const code = readFileSync(file, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      expect(code, file).not.toMatch(
        /\b(localStorage|sessionStorage|indexedDB|safeStorage|document\.cookie)\b/,
      );
      expect(code, file).not.toMatch(/\b(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write/);
      // Only the build script writes files (the bundles).
      if (!file.includes('/build/'))
        expect(code, file).not.toMatch(/\b(writeFile|appendFile|createWriteStream)/);
    }
  });
});
