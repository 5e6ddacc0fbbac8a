import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { StrongroomConfig } from './StrongroomConfig.js';
import { parseStrongroomConfig } from './parseStrongroomConfig.js';

/**
 * Validates, then writes atomically (temp file + rename) with owner-only permissions. The config
 * holds no secrets, but it decides which broker is trusted, so other users must not edit it.
 */
export async function writeStrongroomConfig(path: string, config: StrongroomConfig): Promise<void> {
  parseStrongroomConfig(config, path);
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await rename(temp, path);
}
