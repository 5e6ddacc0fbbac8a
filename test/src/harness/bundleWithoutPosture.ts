import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The broker's shipped policy bundle (broker/policy/default). */
export const DEFAULT_BUNDLE = fileURLToPath(new URL('../../../broker/policy/default', import.meta.url));

/**
 * A copy of the default bundle in `dir`/bundle without its posture rules (policies/posture.cedar),
 * for end-to-end tests of credentials on internal assets: whether this CI machine passes the
 * posture checks is not the test's to choose (disk encryption fails here). Returns its path, for
 * `startBroker({ args: ['--policy', path] })`.
 */
export function bundleWithoutPosture(dir: string): string {
  const bundle = join(dir, 'bundle');
  cpSync(DEFAULT_BUNDLE, bundle, { recursive: true });
  rmSync(join(bundle, 'policies', 'posture.cedar'));
  return bundle;
}
