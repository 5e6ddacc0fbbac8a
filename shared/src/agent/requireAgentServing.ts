import { StrongroomError } from '../errors/StrongroomError.js';
import type { AgentPosture, AgentStateSnapshot } from '../protocol/agentApi.js';

/**
 * The checks an agent helper's own methods (`aws.credentials`, `serviceToken.get`) make before
 * handing anything out, the same as the agent's `credentials.get`: the caller means the profile this
 * agent serves (else `not_found`, and the CLI works alone), nothing is locked, the user is signed
 * in, and the device's posture passes (nothing, not even from memory, while it fails).
 */
export function requireAgentServing(
  state: AgentStateSnapshot,
  serving: string,
  wanted: string | undefined,
  postureAllows: (posture: AgentPosture) => boolean,
  what: string,
): void {
  if (wanted !== undefined && wanted !== serving)
    throw new StrongroomError('not_found', `This agent serves profile "${serving}", not "${wanted}".`, {
      hint: `Start an agent for it: \`strongroom --profile ${wanted} agent\`.`,
    });
  if (state.locked !== null)
    throw new StrongroomError('locked', `Strongroom is locked on this device: ${state.locked.reason}`);
  if (state.session.status !== 'signedIn')
    throw new StrongroomError('not_signed_in', 'The agent is not signed in.', {
      hint: 'Run `strongroom login`.',
    });
  requireAgentPosture(state, postureAllows, what);
}

/** Only the posture part (the container endpoint has its own terminal checks). */
export function requireAgentPosture(
  state: AgentStateSnapshot,
  postureAllows: (posture: AgentPosture) => boolean,
  what: string,
): void {
  if (!postureAllows(state.posture))
    throw new StrongroomError(
      'posture_failing',
      `Device posture does not pass: the agent holds ${what} back.`,
      {
        hint: 'Run `strongroom posture` and apply the fixes; the agent re-checks every 5 minutes.',
      },
    );
}
