import { fileURLToPath } from 'node:url';

/**
 * The default bundle shipped with the broker: `broker/policy/default/` (listed in the package's
 * `files`). Resolved from this module, which sits at `broker/{src,dist}/policy/`, so it works from
 * the sources (tests) and from the build alike.
 */
export function defaultPolicyBundleDir(): string {
  return fileURLToPath(new URL('../../policy/default/', import.meta.url));
}
