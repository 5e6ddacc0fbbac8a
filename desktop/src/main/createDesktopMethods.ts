import type { DesktopPage, DesktopState } from '../api/DesktopApi.js';
import type { IpcMethods } from '../ipc.js';
import type { ApprovalClient } from './createApprovalClient.js';
import type { DesktopAgent } from './DesktopAgent.js';

export interface DesktopMethodsDeps {
  agent: DesktopAgent;
  approvals: ApprovalClient;
  now(): number;
  openWindow(page: DesktopPage): void;
}

/**
 * The main process's side of every IPC channel, over the agent that runs in this process. Payloads
 * arrive already validated (createIpcHandler.ts); errors are turned into plain objects there.
 */
export function createDesktopMethods(deps: DesktopMethodsDeps): IpcMethods {
  const { agent } = deps;
  const state = (): DesktopState => ({ ...agent.state.get(), now: deps.now() });
  return {
    getState: async () => state(),
    signIn: async () => {
      await agent.signIn();
      return state();
    },
    signOut: async () => {
      await agent.signOut();
      return state();
    },
    listTargets: () => agent.targets(),
    dryRunRequest: (request) => agent.call('requests.dryRun', request),
    createRequest: async (request) => {
      const created = await agent.call('requests.create', request);
      return { request: created.request };
    },
    approvalChallenge: ({ requestId }) => deps.approvals.challenge(requestId),
    approve: async ({ requestId, assertion }) => {
      const approved = await deps.approvals.approve(requestId, assertion);
      // The event stream will say so too; re-reading now keeps the list in the window honest.
      await agent.refresh().catch(() => undefined);
      return approved;
    },
    activateGrant: ({ grantId }) => agent.call('grants.activate', { grantId }),
    dropGrant: ({ grantId }) => agent.call('grants.drop', { grantId }),
    refreshPosture: async () => {
      await agent.call('posture', { refresh: true });
      return state();
    },
    openWindow: async ({ page }) => deps.openWindow(page),
  };
}
