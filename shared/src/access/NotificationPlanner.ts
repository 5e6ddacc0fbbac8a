import type { AgentGrant, AgentState } from '../agent/AgentState.js';
import { formatTimeLeft } from './formatTimeLeft.js';

export type NoticeAction =
  | { readonly kind: 'activate'; readonly grantId: string }
  | { readonly kind: 'extend'; readonly target: AgentGrant['target']; readonly durationMinutes: number }
  | { readonly kind: 'showAccess' }
  | { readonly kind: 'review' }
  | { readonly kind: 'signIn' }
  | { readonly kind: 'posture' };

export interface Notice {
  readonly kind: 'approved' | 'expiring' | 'ended' | 'locked' | 'postureFailing' | 'toReview';
  readonly severity: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly actions: readonly NoticeAction[];
}

/** Minutes before a grant's end at which to warn (issue 7: T-10 and T-2), largest first. */
export const EXPIRY_WARNINGS_MIN = [10, 2] as const;

/**
 * Turns the agent's state (pushed on every change) and the clock (for the T-10/T-2 warnings, which
 * no state change announces) into the few notifications a person should see. No storms: each fact
 * is told once (keys remembered), and one observation that finds several facts of a kind says so in
 * one notice ("3 requests to review") instead of three. Host-free; the host shows the notices and
 * maps the actions to its commands.
 */
export class NotificationPlanner {
  readonly #told = new Set<string>();
  #previous: AgentState | undefined;

  /** Call on every state change and on a clock tick (every few seconds is plenty). */
  observe(state: AgentState, now: number): Notice[] {
    const previous = this.#previous;
    this.#previous = state;
    // The first observation is the state the user already sees; tell only what changes after it,
    // but remember what exists so a later observation does not announce it as new.
    const fresh = previous !== undefined;
    const notices: Notice[] = [];

    if (state.locked !== null && this.#tell(`locked:${state.locked.at}`, fresh))
      notices.push({
        kind: 'locked',
        severity: 'error',
        message: `Strongroom: your access was revoked (${state.locked.reason}). Credentials on this machine were wiped.`,
        actions: [{ kind: 'signIn' }],
      });

    const approved = state.grants.filter(
      (g) => g.state === 'approved' && g.activateBy > now && this.#tell(`approved:${g.id}`, fresh),
    );
    if (approved.length === 1 && approved[0] !== undefined)
      notices.push({
        kind: 'approved',
        severity: 'info',
        message: `Approved: ${approved[0].target.id} for ${approved[0].durationMinutes} min. Activate it when you are ready to start the clock.`,
        actions: [{ kind: 'activate', grantId: approved[0].id }],
      });
    else if (approved.length > 1)
      notices.push({
        kind: 'approved',
        severity: 'info',
        message: `${approved.length} grants were approved: ${approved.map((g) => g.target.id).join(', ')}.`,
        actions: [{ kind: 'showAccess' }],
      });

    const expiring: Array<{ grant: AgentGrant; left: number }> = [];
    for (const g of state.grants) {
      if (g.state !== 'active' || g.expiresAt === null || g.expiresAt <= now) continue;
      const left = g.expiresAt - now;
      // Only the tightest threshold reached counts: a grant seen first at 1 min left is told once.
      const reached = EXPIRY_WARNINGS_MIN.filter((m) => left <= m * 60_000);
      if (reached.length === 0) continue;
      const keys = reached.map((m) => `expiring:${g.id}:${m}`);
      const untold = keys.some((k) => !this.#told.has(k));
      for (const k of keys) this.#told.add(k);
      if (untold) expiring.push({ grant: g, left });
    }
    for (const { grant, left } of expiring.slice(0, 1))
      notices.push({
        kind: 'expiring',
        severity: 'warning',
        message:
          expiring.length === 1
            ? `${grant.target.id} ends in ${formatTimeLeft(left)}.`
            : `${expiring.length} elevations end soon: ${expiring.map((e) => `${e.grant.target.id} in ${formatTimeLeft(e.left)}`).join(', ')}.`,
        actions: [{ kind: 'extend', target: grant.target, durationMinutes: grant.durationMinutes }],
      });

    if (previous !== undefined) {
      const ended = previous.grants.filter(
        (g) => g.state === 'active' && !state.grants.some((n) => n.id === g.id && n.state === 'active'),
      );
      const newlyEnded = ended.filter((g) => this.#tell(`ended:${g.id}`, true));
      if (newlyEnded.length > 0)
        notices.push({
          kind: 'ended',
          severity: 'info',
          message: `Elevation ended: ${newlyEnded.map((g) => g.target.id).join(', ')}. Terminals opened for it lost their access.`,
          actions: [],
        });
    }

    if (state.posture.status === 'fail') {
      const failing = state.posture.failing.filter((c) => c.status === 'fail');
      const key = `posture:${failing
        .map((c) => c.id)
        .sort()
        .join(',')}`;
      if (this.#tell(key, fresh))
        notices.push({
          kind: 'postureFailing',
          severity: 'warning',
          message: `Device posture failing: ${failing.map((c) => `${c.title}: ${c.fix}`).join('; ')}`,
          actions: [{ kind: 'posture' }],
        });
    } else {
      // Passing again: a later regression is news again.
      for (const k of [...this.#told]) if (k.startsWith('posture:')) this.#told.delete(k);
    }

    const toReview = state.toApprove.filter((r) => this.#tell(`review:${r.id}`, fresh));
    if (toReview.length > 0)
      notices.push({
        kind: 'toReview',
        severity: 'info',
        message:
          toReview.length === 1 && toReview[0] !== undefined
            ? `${toReview[0].requesterEmail ?? toReview[0].requesterId} asks for ${toReview[0].target.id} (${toReview[0].durationMinutes} min): "${toReview[0].reason}"`
            : `${toReview.length} access requests wait for your review.`,
        actions: [{ kind: 'review' }],
      });
    return notices;
  }

  /** True when `key` is news: not told before, and this observation may tell (it is not the first). */
  #tell(key: string, mayTell: boolean): boolean {
    if (this.#told.has(key)) return false;
    this.#told.add(key);
    return mayTell;
  }
}
