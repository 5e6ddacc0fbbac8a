import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { preloadLazyModules } from './preloadLazyModules.js';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Every `import('./…')` / `import('../…')` in shared/src outside tests, as a path under shared/src. */
function lazyImportsInSource(): Set<string> {
  const found = new Set<string>();
  for (const file of readdirSync(src, { recursive: true, encoding: 'utf8' })) {
    if (!file.endsWith('.ts') || file.endsWith('.test.ts') || file.includes('test-support')) continue;
    const text = readFileSync(join(src, file), 'utf8');
    for (const m of text.matchAll(/(?<!typeof )\bimport\('(\.{1,2}\/[^']+)'\)/g))
      found.add(relative(src, resolve(dirname(join(src, file)), m[1] ?? '')));
  }
  return found;
}

describe('preloadLazyModules', () => {
  it("lists every one of the core's own modules imported on first use, and loads them", async () => {
    const preloaded = lazyImportsInSource();
    const listed = [
      ...readFileSync(join(src, 'agent', 'preloadLazyModules.ts'), 'utf8').matchAll(
        /import\('(\.\.\/[^']+)'\)/g,
      ),
    ].map((m) => relative(src, resolve(src, 'agent', m[1] ?? '')));
    // The file's own list is part of what the scan finds; every other lazy import must be on it.
    expect([...preloaded].filter((p) => !listed.includes(p)).sort()).toEqual([]);
    expect(listed.length).toBeGreaterThan(5);
    await expect(preloadLazyModules()).resolves.toBeUndefined();
  });
});
