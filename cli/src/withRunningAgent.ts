import { tmpdir } from 'node:os';
import { AgentClient } from '@strongroom/shared/agent/AgentClient.js';
import { agentSocketPath } from '@strongroom/shared/agent/agentSocketPath.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';

/**
 * Runs `use` against the running agent on this user's socket (issue 8), for the CLI's hot paths:
 * undefined, so the command works alone, when no agent runs (or STRONGROOM_NO_AGENT=1), when the
 * agent answers with one of the `workAlone` codes, or when it goes away mid-call. Every other
 * answer is final and thrown: working alone would sidestep the agent's checks. Kept tiny (no zod).
 */
export async function withRunningAgent<T>(
  env: NodeJS.ProcessEnv,
  workAlone: ReadonlySet<string>,
  use: (client: AgentClient) => Promise<T | undefined>,
): Promise<T | undefined> {
  if (env['STRONGROOM_NO_AGENT'] === '1') return undefined;
  const uid = process.getuid?.();
  const client = await AgentClient.connect(
    agentSocketPath({ platform: process.platform, env, uid, tmpdir: tmpdir() }),
    uid,
  );
  if (client === undefined) return undefined;
  try {
    return await use(client);
  } catch (error) {
    if (error instanceof StrongroomError && workAlone.has(error.code)) return undefined;
    // The agent went away mid-call: work alone.
    if (error instanceof StrongroomError && error.code === 'internal' && /closed|failed/.test(error.message))
      return undefined;
    throw error;
  } finally {
    client.close();
  }
}
