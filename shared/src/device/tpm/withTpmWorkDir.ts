import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * tpm2-tools reads and writes its blobs and contexts as files: each operation gets a private
 * temporary directory (mode 0700), removed when it ends, so nothing of the key stays on disk
 * between operations, whatever way the process later exits.
 */
export async function withTpmWorkDir<T>(work: (file: (name: string) => string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'strongroom-tpm-'));
  try {
    return await work((name) => join(dir, name));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
