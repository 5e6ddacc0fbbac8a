import type { AccessMethod, AccessPort, TerminalGrant } from '@strongroom/shared/access/AccessPort.js';
import { AgentStateStore, initialAgentState, type AgentGrant } from '@strongroom/shared/agent/AgentState.js';
import { makeAgentState, makeGrant } from '@strongroom/shared/access/accessFixtures.test-support.js';
import type { AgentParams, AgentResult } from '@strongroom/shared/protocol/agentApi.js';
import type { AccessRequestView, TargetsResponse } from '@strongroom/shared/protocol/jitApi.js';

/**
 * The agent as the extension sees it (AccessPort), scripted. The agent is its own component
 * (in-process or over its socket, tested against the real broker in shared/ and test/); here it is
 * the adapter's edge, a typed class implementing the same interface.
 */
export class FakeAccess implements AccessPort {
  readonly state = new AgentStateStore((e) => {
    throw e;
  });
  readonly calls: Array<{ method: string; params: unknown }> = [];
  readonly revoked: string[] = [];
  readonly via = 'inProcess';
  signedIn = false;
  targetsAnswer: TargetsResponse = {
    targets: [
      {
        type: 'Role',
        id: 'restricted-data-reader',
        tier: 'restricted',
        maxDurationMinutes: 120,
        approvalsRequired: 2,
        emergency: false,
      },
    ],
    requestRules: { minReasonLength: 12, ticketPattern: '^[A-Z]+-\\d+$' },
    bundleHash: 'h',
  };
  dryRunAnswer: AgentResult<'requests.dryRun'> = {
    dryRun: true,
    allowed: true,
    reasons: [],
    approvalsRequired: 2,
    maxDurationMinutes: 120,
    emergency: false,
    bundleHash: 'h',
  };
  terminalEnv: Record<string, string> = {
    AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:41000/aws/credentials',
    AWS_CONTAINER_AUTHORIZATION_TOKEN: 'per-terminal-token-not-a-credential',
    SSH_AUTH_SOCK: '/run/user/0/strongroom/ssh-agent.sock',
  };
  toReview: AccessRequestView[] = [];
  /** `requests.list` without `toReview` (the user's own requests). */
  mine: AccessRequestView[] = [];
  postureAnswer: AgentResult<'posture'> | undefined;

  constructor(readonly now: () => number) {}

  signInAs(email = 'alice@example.test'): void {
    const { session } = makeAgentState();
    if (session.status !== 'signedIn') throw new Error('fixture');
    this.signedIn = true;
    this.state.update({ session: { ...session, user: { ...session.user, email } } });
  }

  grant(overrides: Partial<AgentGrant> = {}): AgentGrant {
    return makeGrant(overrides, this.now());
  }

  async call<M extends AccessMethod>(method: M, params: AgentParams<M>): Promise<AgentResult<M>> {
    this.calls.push({ method, params });
    const answers: { [K in AccessMethod]?: () => unknown } = {
      'requests.dryRun': () => this.dryRunAnswer,
      'requests.create': () => ({
        request: { id: 'r9', approvalsRequired: 2 },
        grant: null,
      }),
      'requests.list': () => ({
        requests:
          (params as { toReview?: boolean } | undefined)?.toReview === true ? this.toReview : this.mine,
      }),
      posture: () => {
        if (this.postureAnswer === undefined) throw new Error('FakeAccess: no posture answer');
        this.state.update({ posture: this.postureAnswer.posture });
        return this.postureAnswer;
      },
      'grants.activate': () => ({ grant: { expiresAt: this.now() + 3600_000, id: 'g1' } }),
      'grants.drop': () => {
        this.state.update({ grants: [] });
        return { grant: { id: 'g1' } };
      },
    };
    const answer = answers[method];
    if (answer === undefined) throw new Error(`FakeAccess: ${method} not scripted`);
    return answer() as AgentResult<M>;
  }

  async openTerminal(grant: AgentGrant, label: string): Promise<TerminalGrant> {
    this.calls.push({ method: 'openTerminal', params: { grantId: grant.id, label } });
    let disposed = false;
    return {
      env: this.terminalEnv,
      terminalIds: ['term_0123456789abcdef'],
      expiresAt: this.now() + 3600_000,
      notes: [],
      dispose: async () => {
        if (!disposed) {
          this.revoked.push('term_0123456789abcdef');
          this.calls.push({ method: 'terminal.revoke', params: { terminalId: 'term_0123456789abcdef' } });
        }
        disposed = true;
      },
    };
  }
  async targets(): Promise<TargetsResponse> {
    return this.targetsAnswer;
  }
  async approvalLink(requestId: string): Promise<{ url: string; expiresAt: number }> {
    return { url: `http://localhost:7700/approve/link-for-${requestId}`, expiresAt: this.now() + 600_000 };
  }
  async deny(requestId: string, reason: string): Promise<void> {
    this.calls.push({ method: 'deny', params: { requestId, reason } });
  }
  async signIn(): Promise<void> {
    this.signInAs();
  }
  async signOut(): Promise<void> {
    this.calls.push({ method: 'signOut', params: undefined });
    this.signedIn = false;
    this.state.update(initialAgentState());
  }
  async refresh(): Promise<void> {}
  async dispose(): Promise<void> {}
}
