import type { BrokerClient } from '../broker-client/createBrokerClient.js';
import type { ResolvedProfile } from '../config/resolveProfile.js';
import type { DeviceKey } from '../device/DeviceKey.js';
import type { PostureReport } from '../posture/PostureReport.js';
import type { AgentPosture } from '../protocol/agentApi.js';
import type { PlatformFacts } from '../protocol/deviceApi.js';
import type { SessionController } from '../session/createSessionController.js';
import type { CredentialStore } from '../vault/CredentialStore.js';
import type { AgentClock } from './AgentClock.js';
import type { AgentNotifier } from './AgentNotifier.js';

/** Runs the device's posture checks (normally `runPostureChecks(createNodePostureHost())`). */
export interface AgentPostureRunner {
  run(): Promise<PostureReport>;
  /** What the machine says about itself, for enrolling the device (collectPlatformFacts). */
  platformFacts(): Promise<PlatformFacts>;
}

/**
 * Everything the agent needs, passed in by its host (the tray, the extension host, `strongroom
 * agent`); the agent reaches for nothing else. The session controller's own HostContext should
 * have a quiet `notify` (log only): the agent tells the user itself, coalesced, through `notifier`.
 */
export interface AgentDeps {
  readonly profile: ResolvedProfile;
  readonly session: SessionController;
  /** The broker API client (normally `session.api`). */
  readonly broker: BrokerClient;
  /** The vault holding the session and the grant-scoped credentials (see grantCredentialEntries). */
  readonly vault: CredentialStore;
  readonly deviceKey: () => Promise<DeviceKey>;
  readonly clock: AgentClock;
  readonly notifier: AgentNotifier;
  readonly posture: AgentPostureRunner;
  readonly platform: NodeJS.Platform;
  /** Sent as `agentVersion` in posture reports and shown by `status`. */
  readonly version: string;
  readonly log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  readonly options?: AgentOptions;
}

export interface AgentOptions {
  /** Posture checks run this often (and on triggers). Default 5 minutes (issue 8). */
  readonly postureIntervalMs?: number;
  /** The vault is re-read this often to notice sign-in/out by other processes. Default 60 s. */
  readonly sessionSyncMs?: number;
  /** Notification coalescing window. Default 30 s. */
  readonly notificationWindowMs?: number;
  /**
   * Whether this posture lets the agent keep the session fresh and hand out tokens and
   * credentials. Default: every check passed (`unknown` is not a pass: ARCHITECTURE.md).
   */
  readonly postureAllows?: (posture: AgentPosture) => boolean;
}
