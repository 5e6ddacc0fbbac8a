import { StrongroomError } from '../../errors/StrongroomError.js';
import { ClientAuditReporter } from '../../agent/ClientAuditReporter.js';
import type { Agent } from '../../agent/createAgent.js';
import { identifyProcessFor, type IdentifyProcess } from '../../agent/processIdentity.js';
import { ProcessWatcher } from '../../agent/ProcessWatcher.js';
import { requireAgentPosture, requireAgentServing } from '../../agent/requireAgentServing.js';
import type { BrokerClient } from '../../broker-client/createBrokerClient.js';
import type { ResolvedProfile } from '../../config/resolveProfile.js';
import type { AgentPosture } from '../../protocol/agentApi.js';
import {
  AWS_CREDENTIALS_METHOD,
  AWS_TERMINAL_METHOD,
  awsCredentialsMethod,
  awsTerminalMethod,
} from '../../protocol/awsAgentApi.js';
import { CLIENT_AUDIT_PATH } from '../../protocol/clientAuditApi.js';
import type { CredentialStore } from '../../vault/CredentialStore.js';
import { AwsTerminals } from './AwsTerminals.js';
import { checkTokenHolder } from './checkTokenHolder.js';
import type { ContainerCredentialsServer } from './containerCredentialsServer.js';
import { createAwsCredentialProvider } from './createAwsCredentialProvider.js';

export interface AwsAgentDeps {
  readonly profile: ResolvedProfile;
  readonly vault: CredentialStore;
  readonly broker: BrokerClient;
  readonly now: () => number;
  /** Never called with a token or a key. */
  readonly log: (message: string) => void;
  /**
   * Whether this posture lets the agent hand out AWS credentials: the agent's own rule for
   * `credentials.get` (AgentOptions.postureAllows). Default: every check passed.
   */
  readonly postureAllows?: (posture: AgentPosture) => boolean;
  /** How the agent tells a token's holder process apart from a later one; default by platform. */
  readonly identifyProcess?: IdentifyProcess;
  /** How often holders are looked at (default 1.5 s) and events reported (default 5 s). */
  readonly intervals?: { readonly watchMs?: number; readonly reportMs?: number };
}

export interface AwsAgentService {
  /** `http://127.0.0.1:<port>` of the container-credentials endpoint; starts it if it does not listen yet. */
  origin(): Promise<string>;
  close(): Promise<void>;
}

const DEFAULT_TERMINAL_SECONDS = 12 * 3600;

/**
 * The AWS helper inside the agent (issue 6 item 3, issue 8): starts the loopback container-
 * credentials endpoint, serves its credentials from memory (keychain and broker + STS behind it),
 * and registers with the agent:
 * - `credentials.get` kind `aws` (target = the Strongroom role): the credential_process fields;
 * - `aws.credentials` (`strongroom credential-process` while the agent runs): one round trip;
 * - `aws.terminal` (`strongroom env aws --role`): checks the role now, then a per-terminal token
 *   tied to the grant (the agent's TerminalTokens) and the two pointer variables; the token dies
 *   when its holder process (the shell that evals them, a job) exits (ProcessWatcher);
 * - refused requests (coalesced), issued and revoked tokens go to the broker's audit log as
 *   client-reported events (ClientAuditReporter), never holding up the endpoint;
 * - nothing while the device's posture fails (the agent's rule), not even from memory;
 * - the agent's wipes (grant ended, lock, sign-out) drop the in-memory credentials; the agent
 *   itself revokes the grant's terminals and wipes the vault entries by grant tag.
 */
export async function serveAwsFromAgent(agent: Agent, deps: AwsAgentDeps): Promise<AwsAgentService> {
  const provider = createAwsCredentialProvider({
    profile: deps.profile,
    store: deps.vault,
    client: () => Promise.resolve(deps.broker),
    now: deps.now,
    listedGrants: () => agent.state.get().grants.map((g) => g.id),
  });
  const postureAllows = deps.postureAllows ?? ((p: AgentPosture) => p.status === 'pass');
  // Like the agent's credentials.get: a failing device gets nothing, not even from memory, until
  // its checks pass again (the terminal tokens stay: fixing the device brings them back).
  const requirePosture = (): void => requireAgentPosture(agent.state.get(), postureAllows, 'AWS credentials');
  const terminals = new AwsTerminals(agent.terminals);
  // What the endpoint refuses and which tokens come and go reach the broker's audit log, marked as
  // reported by this device (issue 6, "Bad input"); never a token.
  const audit = new ClientAuditReporter({
    send: async (events) => {
      const response = await deps.broker.request('POST', CLIENT_AUDIT_PATH, { events });
      await response.body?.cancel();
    },
    now: deps.now,
    log: deps.log,
    ...(deps.intervals?.reportMs === undefined ? {} : { intervalMs: deps.intervals.reportMs }),
  });
  const identify = deps.identifyProcess ?? identifyProcessFor(process.platform);
  const holders = new ProcessWatcher({
    identify,
    ...(deps.intervals?.watchMs === undefined ? {} : { intervalMs: deps.intervals.watchMs }),
  });
  // The loopback endpoint listens from the first terminal that needs it, not from the agent's
  // start: nothing listens that no terminal uses, and an agent's first state does not wait for it
  // (node:http and the server's code load then).
  let server: Promise<ContainerCredentialsServer> | undefined;
  let closed = false;
  const stopped = (): StrongroomError => new StrongroomError('not_supported', 'The AWS helper has stopped.');
  const listening = (): Promise<ContainerCredentialsServer> => {
    if (closed) return Promise.reject(stopped());
    if (server !== undefined) return server;
    const starting = import('./containerCredentialsServer.js').then(({ startContainerCredentialsServer }) =>
      startContainerCredentialsServer({
        terminals,
        credentialsFor: (role, terminal) => {
          requirePosture();
          return provider.get({ role, ...(terminal.grantId === null ? {} : { grantId: terminal.grantId }) });
        },
        log: deps.log,
        onRefused: (reason, terminalId) => audit.refused(reason, terminalId),
      }),
    );
    server = starting;
    // A failed start (EMFILE, say) is that call's error, not the helper's end: the next terminal tries again.
    starting.catch((error: unknown) => {
      if (server === starting) server = undefined;
      deps.log(
        `AWS container-credentials endpoint failed to start: ${error instanceof Error ? error.message : String(error)}`,
      );
    });
    return starting;
  };
  const unsubscribe = agent.onWipe((scope) => {
    if (scope.kind === 'grant') provider.forgetGrant(scope.grantId);
    else provider.forgetAll();
  });
  /** The holder watches by terminal, dropped when the token dies some other way (grant end, lock). */
  const unwatch = new Map<string, () => void>();
  const unlisten = agent.terminals.onRevoke((entry, reason) => {
    unwatch.get(entry.terminalId)?.();
    unwatch.delete(entry.terminalId);
    deps.log(`terminal ${entry.terminalId} revoked (${reason})`);
    audit.record({ kind: 'terminal-token.revoked', terminalId: entry.terminalId, reason, at: deps.now() });
  });

  agent.registerCredentialKind('aws', async (params) => {
    const c = await provider.get({
      role: params.target,
      ...(params.grantId === undefined ? {} : { grantId: params.grantId }),
    });
    return {
      kind: 'aws',
      grantId: c.grantId,
      expiresAt: c.expiration,
      credential: {
        Version: 1,
        AccessKeyId: c.accessKeyId,
        SecretAccessKey: c.secretAccessKey,
        SessionToken: c.sessionToken,
        Expiration: new Date(c.expiration).toISOString(),
      },
    };
  });

  /** The agent's checks for these methods: its profile, signed in, not locked, posture passing. */
  const requireServing = (profile: string | undefined): void =>
    requireAgentServing(agent.state.get(), deps.profile.name, profile, postureAllows, 'AWS credentials');

  agent.methods.register(AWS_CREDENTIALS_METHOD, awsCredentialsMethod, async (params) => {
    requireServing(params.profile);
    const c = await provider.get({
      role: params.role,
      ...(params.grantId === undefined ? {} : { grantId: params.grantId }),
    });
    return {
      Version: 1 as const,
      AccessKeyId: c.accessKeyId,
      SecretAccessKey: c.secretAccessKey,
      SessionToken: c.sessionToken,
      Expiration: new Date(c.expiration).toISOString(),
    };
  });

  agent.methods.register(AWS_TERMINAL_METHOD, awsTerminalMethod, async (params, call) => {
    requireServing(params.profile);
    const holder = checkTokenHolder(params, call.peer.uid ?? process.getuid?.() ?? null, identify);
    // Fetch once now: a role without a covering grant fails here, with the broker's reason (and
    // nothing starts listening for it).
    const credentials = await provider.get({
      role: params.role,
      ...(params.grantId === undefined ? {} : { grantId: params.grantId }),
    });
    const endpoint = await listening();
    // Stopped while this call waited: no token outlives the helper.
    if (closed) throw stopped();
    const session = agent.state.get().session;
    const grant = agent.state.get().grants.find((g) => g.id === credentials.grantId);
    const ends = [deps.now() + (params.ttlSeconds ?? DEFAULT_TERMINAL_SECONDS) * 1000];
    if (session.status === 'signedIn') ends.push(session.sessionEndsAt);
    if (grant?.expiresAt != null) ends.push(grant.expiresAt);
    const created = terminals.create({
      label: params.label ?? `aws ${params.role}`.slice(0, 100),
      role: params.role,
      grantId: credentials.grantId,
      expiresAt: Math.min(...ends),
    });
    if (holder !== undefined)
      unwatch.set(
        created.terminalId,
        holders.watch(holder.pid, holder.identity, () => {
          unwatch.delete(created.terminalId);
          terminals.holderExited(created.terminalId);
        }),
      );
    deps.log(
      `terminal ${created.terminalId} for AWS role "${params.role}" (grant ${credentials.grantId})${holder === undefined ? '' : `, until process ${String(holder.pid)} exits`}`,
    );
    audit.record({
      kind: 'terminal-token.issued',
      terminalId: created.terminalId,
      grantId: credentials.grantId,
      role: params.role,
      expiresAt: created.expiresAt,
      holder: holder === undefined ? 'none' : 'process',
      at: deps.now(),
    });
    return {
      terminalId: created.terminalId,
      grantId: credentials.grantId,
      expiresAt: created.expiresAt,
      env: {
        AWS_CONTAINER_CREDENTIALS_FULL_URI: endpoint.urlFor(params.role),
        AWS_CONTAINER_AUTHORIZATION_TOKEN: created.token,
      },
    };
  });

  return {
    origin: async () => (await listening()).origin,
    close: async () => {
      closed = true;
      unsubscribe();
      unlisten();
      holders.close();
      await (await server?.catch(() => undefined))?.close();
      // One last report, best effort: stopping never waits on the broker.
      void audit.close();
    },
  };
}
