import { createRequire } from 'node:module';

/** The CLI's version, sent as `agentVersion` in posture reports (cli/package.json). */
export function agentVersion(): string {
  const pkg = createRequire(import.meta.url)('../package.json') as { version?: unknown };
  return typeof pkg.version === 'string' ? `strongroom-cli/${pkg.version}` : 'strongroom-cli/unknown';
}
