/** Row shapes of access reviews of standing access (issue 9); times are ms since the epoch. */

/** What happens to a membership nobody reviewed by the deadline (the bundle's `reviews.unreviewed`). */
export type UnreviewedAction = 'remove' | 'keep';
export type ReviewCampaignStatus = 'open' | 'closed';
/** `pending` until a reviewer decides (or the deadline applies the campaign's unreviewed action). */
export type ReviewDecision = 'pending' | 'keep' | 'remove';

export interface ReviewCampaignRecord {
  id: string;
  name: string;
  status: ReviewCampaignStatus;
  /** The admin who started it; null when the bundle's schedule did. */
  createdBy: string | null;
  createdAt: number;
  deadline: number;
  unreviewedAction: UnreviewedAction;
  /** A membership unused for this many days is flagged stale. */
  staleAfterDays: number;
  /** The policy bundle whose settings started it. */
  bundleHash: string;
  closedAt: number | null;
}

/** One standing membership (user in role) under review, with its last use from the audit log. */
export interface ReviewItemRecord {
  campaignId: string;
  userId: string;
  roleName: string;
  /** The newest audit record that shows the membership in use; null when none does. */
  lastUsedAt: number | null;
  stale: boolean;
  decision: ReviewDecision;
  /** The reviewer; null when the deadline decided. */
  decidedBy: string | null;
  decidedAt: number | null;
}
