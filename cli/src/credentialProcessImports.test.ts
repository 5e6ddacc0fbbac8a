import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const STATIC_IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm;

/** Packages a compiled module pulls in through static imports, transitively (dynamic imports are the miss path). */
function staticPackages(entry: string): Set<string> {
  const seen = new Set<string>();
  const packages = new Set<string>();
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const m of readFileSync(file, 'utf8').matchAll(STATIC_IMPORT)) {
      const spec = m[1] ?? m[2] ?? '';
      if (spec.startsWith('.')) queue.push(resolve(dirname(file), spec));
      else if (spec.startsWith('@strongroom/shared/')) queue.push(join(repo, 'shared/dist', spec.slice(19)));
      else if (!spec.startsWith('node:'))
        packages.add(
          spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] ?? spec),
        );
    }
  }
  return packages;
}

/**
 * Issue 6: `strongroom credential-process` with cached credentials must start in at most 2.5x a
 * bare Node start, so its cached path loads no argument parser, no schema library, no AWS SDK and
 * no OIDC client (those are imported dynamically on a miss). Reads the compiled output (`tsc -b`).
 */
describe('credential-process hot path imports', () => {
  it('the entry and the command load nothing heavy statically', () => {
    const loaded = new Set([
      ...staticPackages(join(repo, 'cli/dist/bin/strongroom.js')),
      ...staticPackages(join(repo, 'cli/dist/commands/credentialProcess.js')),
    ]);
    for (const heavy of ['commander', 'zod', '@aws-sdk/client-sts', 'openid-client', 'jose'])
      expect(loaded.has(heavy), heavy).toBe(false);
  });

  it('git-credential and kube-credential (hot: git and kubectl run them on every use) load nothing heavy statically', () => {
    for (const command of ['gitCredential', 'kubeCredential']) {
      const loaded = staticPackages(join(repo, `cli/dist/commands/${command}.js`));
      for (const heavy of [
        'commander',
        'zod',
        '@aws-sdk/client-sts',
        'openid-client',
        'jose',
        '@napi-rs/keyring',
      ])
        expect(loaded.has(heavy), `${command}: ${heavy}`).toBe(false);
    }
  });

  it('sees a heavy static import when there is one (the check can fail)', () => {
    expect(staticPackages(join(repo, 'cli/dist/program.js')).has('commander')).toBe(true);
    expect(staticPackages(join(repo, 'shared/dist/credentials/aws/getAwsCredentials.js')).has('zod')).toBe(
      true,
    );
  });
});
