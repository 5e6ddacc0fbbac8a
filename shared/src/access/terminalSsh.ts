import type { AgentGrant } from '../agent/AgentState.js';
import { certifyIntoSshAgent } from '../credentials/ssh/certifyIntoSshAgent.js';
import type { SshCertificateRequest, SshCertificateResponse } from '../protocol/sshApi.js';
import { startTerminalSshAgent } from './terminalSshAgent.js';

export interface TerminalSshOptions {
  /** A private folder (made 0700) under which each terminal's ssh-agent gets a 0700 folder of its own. */
  readonly dir: string;
  /**
   * The host groups a grant covers, for which its terminal gets a certificate each. Default:
   * sshHostGroupsOf (the grant's `covers` from the broker). Empty: no SSH.
   */
  readonly hostGroups?: ((grant: AgentGrant) => readonly string[]) | undefined;
  /** `POST /api/v1/credentials/ssh` with the session's DPoP-bound token (sshApi.ts). */
  readonly issue: (request: SshCertificateRequest) => Promise<SshCertificateResponse>;
  readonly now: () => number;
  readonly uid?: number | undefined;
  /** The ssh-agent binary (default: `ssh-agent` on PATH). */
  readonly sshAgent?: string;
  /** Runs `fn` after `ms` (renewals); returns a cancel function. Default: an unref'd setTimeout. */
  readonly after?: (ms: number, fn: () => void) => () => void;
}

/**
 * The host groups `grant` covers, as the broker says in the grant's `covers` (the catalog assets
 * listing the grant's Role in their `roles`, by the rule issuance uses; clients cannot read the
 * catalog). From an older broker that sends no `covers`: a HostGroup grant covers its own group,
 * anything else none.
 */
export function sshHostGroupsOf(grant: Pick<AgentGrant, 'target' | 'covers'>): string[] {
  if (grant.covers !== undefined) return grant.covers.filter((a) => a.type === 'HostGroup').map((a) => a.id);
  return grant.target.type === 'HostGroup' ? [grant.target.id] : [];
}

/** A certificate the terminal's agent holds, as the user may see it (no key material). */
export interface LoadedCertificate {
  readonly hostGroup: string;
  readonly principals: readonly string[];
  readonly serial: string;
  /** Epoch seconds. */
  readonly validBefore: number;
}

export interface TerminalSsh {
  readonly socketPath: string;
  readonly certificates: readonly LoadedCertificate[];
  /** Stops renewals, kills the agent, removes its folder. Idempotent. */
  dispose(): Promise<void>;
}

/** Renew this long before a certificate ends (the broker caps each at an hour; grants last longer). */
const RENEW_BEFORE_SECONDS = 120;
const RETRY_MS = 30_000;

const defaultAfter = (ms: number, fn: () => void): (() => void) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

/**
 * The SSH part of an elevated terminal (issue 7, item 6): a dedicated ssh-agent (terminalSshAgent)
 * holding, for each host group the grant covers, an Ed25519 key made in memory and the broker's
 * certificate for it under this grant, added with the certificate's remaining validity as its
 * lifetime (the way `strongroom ssh-cert` does; the key never touches the disk). One certificate per
 * host group: each names that group's principals, and the broker issues per host group. A
 * certificate that ends before the grant is renewed shortly before it ends. Returns undefined (and
 * starts or leaves nothing) when the grant covers no known host group or no certificate could be
 * had; the notes say why.
 */
export async function terminalSsh(
  grant: AgentGrant,
  options: TerminalSshOptions,
  log: (message: string) => void,
): Promise<{ ssh: TerminalSsh | undefined; notes: string[] }> {
  const groups = [...new Set((options.hostGroups ?? sshHostGroupsOf)(grant))];
  if (groups.length === 0)
    return {
      ssh: undefined,
      notes: [
        `SSH: ${grant.target.id} covers no host group (as the broker says), so SSH_AUTH_SOCK is not set by Strongroom`,
      ],
    };
  const agent = await startTerminalSshAgent(options.dir, {
    uid: options.uid,
    ...(options.sshAgent === undefined ? {} : { sshAgent: options.sshAgent }),
  });
  const after = options.after ?? defaultAfter;
  const certificates: LoadedCertificate[] = [];
  const notes: string[] = [];
  const cancels = new Set<() => void>();
  let disposed = false;

  /** Issues and adds one certificate; schedules its renewal when it ends before the grant. */
  const load = async (hostGroup: string): Promise<LoadedCertificate> => {
    const issued = await certifyIntoSshAgent({
      hostGroup,
      socketPath: agent.socketPath,
      issue: (publicKey) => options.issue({ publicKey, hostGroup, grantId: grant.id }),
      now: options.now,
      beforeAdd: () => {
        if (disposed) throw new Error('the terminal closed meanwhile');
      },
    });
    const loaded = {
      hostGroup,
      principals: issued.principals,
      serial: issued.serial,
      validBefore: issued.validBefore,
    };
    renewLater(loaded);
    return loaded;
  };
  const schedule = (ms: number, fn: () => void): void => {
    const cancel = after(Math.max(0, ms), () => {
      cancels.delete(cancel);
      if (!disposed) fn();
    });
    cancels.add(cancel);
  };
  const renewLater = (cert: LoadedCertificate): void => {
    const grantEnd = grant.expiresAt === null ? 0 : Math.floor(grant.expiresAt / 1000);
    if (cert.validBefore >= grantEnd) return; // it lasts as long as the grant
    const renewAt = cert.validBefore - RENEW_BEFORE_SECONDS;
    const renew = (): void => {
      load(cert.hostGroup).then(
        (next) => log(`renewed the SSH certificate for ${cert.hostGroup} (serial ${next.serial})`),
        (error: unknown) => {
          const why = error instanceof Error ? error.message : String(error);
          log(`renewing the SSH certificate for ${cert.hostGroup} failed: ${why}`);
          // Try again while the old one still works; after that the terminal has none for it.
          if (Math.floor(options.now() / 1000) + RETRY_MS / 1000 < cert.validBefore)
            schedule(RETRY_MS, renew);
        },
      );
    };
    schedule(renewAt * 1000 - options.now(), renew);
  };

  for (const hostGroup of groups) {
    try {
      const loaded = await load(hostGroup);
      certificates.push(loaded);
      notes.push(
        `SSH: a certificate for ${hostGroup} (principals ${loaded.principals.join(', ')}) in this terminal's own ssh-agent`,
      );
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      log(`no SSH certificate for ${hostGroup} under ${grant.target.id}: ${why}`);
      notes.push(`SSH: no certificate for ${hostGroup} (${why})`);
    }
  }
  const dispose = async (): Promise<void> => {
    disposed = true;
    for (const cancel of cancels) cancel();
    cancels.clear();
    await agent.dispose();
  };
  if (certificates.length === 0) {
    await dispose();
    notes.push('SSH: no certificate could be loaded, so SSH_AUTH_SOCK is not set by Strongroom');
    return { ssh: undefined, notes };
  }
  return { ssh: { socketPath: agent.socketPath, certificates, dispose }, notes };
}
