import type { AgentGrant } from '../agent/AgentState.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { TerminalGrant } from './AccessPort.js';
import { terminalSsh, type TerminalSsh, type TerminalSshOptions } from './terminalSsh.js';
import {
  removeTerminalKubeconfig,
  writeTerminalKubeconfig,
  type TerminalKubeconfigOptions,
} from './terminalKubeconfig.js';

/** Calls an agent method by name (in-process registry or the socket); throws StrongroomError. */
export type AgentInvoke = (method: string, params: unknown) => Promise<unknown>;

export interface ElevatedTerminalOptions {
  /** `git` runs this as its credential helper (`!strongroom git-credential`); omitted: no git config. */
  readonly gitCredentialHelper?: string | undefined;
  /**
   * SSH: the terminal's own ssh-agent with the grant's certificates (terminalSsh.ts); omitted (or a
   * grant covering no host group): SSH_AUTH_SOCK is left alone, whatever the window has is the user's.
   */
  readonly ssh?: TerminalSshOptions | undefined;
  /** kubectl through `strongroom kube-credential`, for the profile's clusters; omitted: no KUBECONFIG. */
  readonly kube?: TerminalKubeconfigOptions | undefined;
  readonly log: (message: string) => void;
}

/**
 * The environment of an elevated terminal for one grant (issue 7, item 6), pointers only:
 * - the agent's per-terminal token (`terminal.create`, bound to the grant and revoked with it);
 * - AWS: the agent's loopback container-credentials URL and a per-terminal token for the grant's
 *   role (`aws.terminal`, served by the AWS helper), when the role maps to an AWS role;
 * - `SSH_AUTH_SOCK` of the terminal's own ssh-agent, holding the grant's short-lived certificates
 *   (one per host group it covers; killed with the terminal), only when it covers one;
 * - git's credential helper through `GIT_CONFIG_COUNT`/`KEY_n`/`VALUE_n` (no file is written);
 * - `KUBECONFIG` to a per-terminal exec-plugin config (terminalKubeconfig.ts), removed with it.
 * A helper that cannot serve this grant is skipped with a note; nothing partial is left behind
 * when the first step fails.
 */
export async function elevatedTerminal(
  invoke: AgentInvoke,
  revoke: (terminalIds: readonly string[]) => Promise<void>,
  grant: AgentGrant,
  label: string,
  options: ElevatedTerminalOptions,
): Promise<TerminalGrant> {
  if (grant.state !== 'active')
    throw new StrongroomError('usage', `${grant.target.id} is not active.`, { hint: 'Activate it first.' });
  const base = (await invoke('terminal.create', { label, grantId: grant.id })) as {
    terminalId: string;
    expiresAt: number;
    env: Record<string, string>;
  };
  const env: Record<string, string> = { ...base.env };
  const terminalIds = [base.terminalId];
  const notes: string[] = [];
  let expiresAt = base.expiresAt;
  if (grant.target.type === 'Role') {
    try {
      const aws = (await invoke('aws.terminal', { role: grant.target.id, grantId: grant.id, label })) as {
        terminalId: string;
        expiresAt: number;
        env: Record<string, string>;
      };
      Object.assign(env, aws.env);
      terminalIds.push(aws.terminalId);
      expiresAt = Math.min(expiresAt, aws.expiresAt);
      notes.push(`AWS: the role of ${grant.target.id} through the agent's container endpoint`);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      options.log(`no AWS pointers for ${grant.target.id}: ${why}`);
      notes.push(`AWS: not available (${why})`);
    }
  }
  let ssh: TerminalSsh | undefined;
  if (options.ssh !== undefined) {
    try {
      const started = await terminalSsh(grant, options.ssh, options.log);
      ssh = started.ssh;
      notes.push(...started.notes);
      if (ssh !== undefined) env['SSH_AUTH_SOCK'] = ssh.socketPath;
      else
        options.log(
          `terminal for ${grant.target.id}: SSH_AUTH_SOCK not set by Strongroom (${started.notes.join('; ')})`,
        );
    } catch (error) {
      // No ssh-agent (not installed, folder not private): the terminal opens without SSH.
      const why = error instanceof Error ? error.message : String(error);
      options.log(
        `terminal for ${grant.target.id}: no ssh-agent, SSH_AUTH_SOCK not set by Strongroom: ${why}`,
      );
      notes.push(`SSH: not available (${why})`);
    }
  }
  if (options.gitCredentialHelper !== undefined) {
    env['GIT_CONFIG_COUNT'] = '1';
    env['GIT_CONFIG_KEY_0'] = 'credential.helper';
    env['GIT_CONFIG_VALUE_0'] = options.gitCredentialHelper;
  }
  const files: string[] = [];
  if (options.kube !== undefined && options.kube.clusters.length > 0) {
    try {
      const kube = await writeTerminalKubeconfig(base.terminalId, options.kube);
      env['KUBECONFIG'] = kube.kubeconfig;
      files.push(kube.file);
      notes.push(`Kubernetes: ${options.kube.clusters.map((c) => `strongroom-${c}`).join(', ')}`);
    } catch (error) {
      // No terminal will open: its tokens and its ssh-agent must not outlive this attempt.
      await ssh?.dispose().catch(() => undefined);
      await revoke(terminalIds).catch(() => undefined);
      throw error;
    }
  }
  let disposed = false;
  return {
    env,
    terminalIds,
    expiresAt,
    notes,
    dispose: async () => {
      if (disposed) return;
      disposed = true;
      // All at once, each part even when another fails; a failed revocation is the caller's to report.
      const [revoked] = await Promise.allSettled([
        revoke(terminalIds),
        ssh?.dispose(),
        ...files.map(removeTerminalKubeconfig),
      ]);
      if (revoked.status === 'rejected') throw revoked.reason;
    },
  };
}
