import type {
  ReviewCampaignRecord,
  ReviewCampaignStatus,
  ReviewDecision,
  ReviewItemRecord,
} from './reviewRecords.js';

/**
 * Access reviews of standing access (issue 9). Part of `StoreOps`, so a decision, the membership
 * it removes and its audit record share one transaction.
 */
export interface ReviewStoreOps {
  /** The campaign and its items at once; refused with `conflict` when the id exists. */
  createReviewCampaign(campaign: ReviewCampaignRecord, items: readonly ReviewItemRecord[]): Promise<void>;
  /** In a transaction, locks the row until it ends (closing and deciding cannot race). */
  getReviewCampaign(id: string): Promise<ReviewCampaignRecord | undefined>;
  /** Newest first. */
  listReviewCampaigns(filter: {
    status?: ReviewCampaignStatus;
    limit: number;
  }): Promise<ReviewCampaignRecord[]>;
  /** By user, then role. */
  listReviewItems(campaignId: string): Promise<ReviewItemRecord[]>;
  /** pending → keep/remove; false (and no change) when the item is unknown or already decided. */
  decideReviewItem(
    campaignId: string,
    userId: string,
    roleName: string,
    decision: Exclude<ReviewDecision, 'pending'>,
    by: string | null,
    at: number,
  ): Promise<boolean>;
  /** open → closed; false when it was not open. */
  closeReviewCampaign(id: string, at: number): Promise<boolean>;
}
