import { lstat } from 'node:fs/promises';
import { StrongroomError } from '../errors/StrongroomError.js';

/**
 * The socket's directory must be a real directory (not a symlink), owned by us, with no access for
 * group or others. Both ends check it: the agent before listening, the client before connecting
 * (so no other user can plant a fake agent for our CLI to talk to). Returns a reason or undefined.
 */
export async function privateDirProblem(dir: string, uid: number | undefined): Promise<string | undefined> {
  let info;
  try {
    info = await lstat(dir);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'unreadable';
  }
  if (info.isSymbolicLink() || !info.isDirectory()) return 'not a directory';
  if (uid !== undefined && info.uid !== uid) return `owned by uid ${String(info.uid)}, not ${String(uid)}`;
  if ((info.mode & 0o077) !== 0) return `mode ${(info.mode & 0o777).toString(8)} lets others in`;
  return undefined;
}

export async function assertPrivateDir(dir: string, uid: number | undefined): Promise<void> {
  const problem = await privateDirProblem(dir, uid);
  if (problem !== undefined)
    throw new StrongroomError('internal', `The agent's socket directory ${dir} is not private: ${problem}.`, {
      hint: `Remove it (it should be a 0700 directory of yours) and start the agent again.`,
    });
}
