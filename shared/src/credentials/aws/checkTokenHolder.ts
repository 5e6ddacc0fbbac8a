import type { IdentifyProcess, ProcessIdentity } from '../../agent/processIdentity.js';
import { StrongroomError } from '../../errors/StrongroomError.js';
import type { AwsTerminalParams } from '../../protocol/awsAgentApi.js';

/**
 * The process that will hold a new terminal token (`aws.terminal`'s `holderPid`), checked before
 * anything is made: it is running, it is the caller's user's (`uid`: the socket peer's, which the
 * agent server verified; in-process, the agent's own), and it is the process the caller saw (its
 * start time), so a pid that died and came back is refused. undefined: no holder (`--job`).
 */
export function checkTokenHolder(
  params: Pick<AwsTerminalParams, 'holderPid' | 'holderStart'>,
  uid: number | null,
  identify: IdentifyProcess,
): { pid: number; identity: ProcessIdentity } | undefined {
  if (params.holderPid === undefined) return undefined;
  const pid = params.holderPid;
  const identity = identify(pid);
  if (identity === undefined)
    throw new StrongroomError('usage', `Process ${String(pid)} (the token's holder) is not running.`, {
      hint: 'Pass the pid of a running shell or job with --pid, or --job for a token that only expires.',
    });
  if (identity.uid === -1 || (identity.uid !== null && uid !== null && identity.uid !== uid))
    throw new StrongroomError('denied', `Process ${String(pid)} belongs to another user.`, {
      hint: 'A terminal token can only follow one of your own processes.',
    });
  if (params.holderStart !== undefined && identity.start !== null && identity.start !== params.holderStart)
    throw new StrongroomError('usage', `Process ${String(pid)} is not the one you named (it was restarted).`);
  return { pid, identity };
}
