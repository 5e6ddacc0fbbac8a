import { describe, expect, it } from 'vitest';
import { makeGrant, makeAgentState } from './accessFixtures.test-support.js';
import { stateFromAgent } from './createAgentAccess.js';

// A window using the tray's agent over the socket keeps the agent's state as sent: a field the
// local protocol gained after v1 (a grant's `covers`, posture `checks`) must reach the terminals.
describe('stateFromAgent (the socket agent state as the window keeps it)', () => {
  it("keeps a grant's covers and drops only status's secondsLeft", () => {
    const covers = [{ type: 'HostGroup', id: 'gpu-a100' }];
    const grant = { ...makeGrant({ id: 'g-1' }), covers };
    const fromStatus = stateFromAgent({
      ...makeAgentState({}),
      grants: [{ ...grant, secondsLeft: 120 }],
    } as Parameters<typeof stateFromAgent>[0]);
    expect(fromStatus.grants).toEqual([grant]);
    expect(fromStatus.grants[0]).not.toHaveProperty('secondsLeft');
    const fromFrame = stateFromAgent({ ...makeAgentState({}), grants: [grant] });
    expect(fromFrame.grants[0]?.covers).toEqual(covers);
  });
});
