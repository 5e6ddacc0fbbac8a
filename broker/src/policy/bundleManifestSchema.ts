import { z } from 'zod';

/**
 * `bundle.json`: the bundle's name and the request rules that are not Cedar (issue 5: "a minimum
 * reason length and an optional ticket pattern from the bundle"). Eligibility itself is Cedar
 * (`request`/`approve` permits) plus target attributes in the catalog.
 */
export const bundleManifestSchema = z.strictObject({
  name: z.string().min(1).max(100),
  description: z.string().max(2000).optional(),
  requests: z
    .strictObject({
      /** "." is not a reason. */
      minReasonLength: z.number().int().min(1).max(1000).default(12),
      /** A ticket reference must match this (JavaScript RegExp source, anchored by the author). */
      ticketPattern: z
        .string()
        .refine((s) => isRegExp(s), 'not a valid regular expression')
        .optional(),
      defaultMaxDurationMinutes: z
        .number()
        .int()
        .min(1)
        .max(24 * 60)
        .default(60),
      /** Break-glass grants last at most this long (ARCHITECTURE.md: 30 minutes by default). */
      emergencyMaxMinutes: z.number().int().min(1).max(240).default(30),
    })
    .prefault({}),
  /**
   * Access reviews of standing memberships (issue 9; reviews/startReviewCampaign.ts). Without
   * `everyDays` only an admin starts a campaign; with it the broker starts one each period.
   */
  reviews: z
    .strictObject({
      everyDays: z.number().int().min(1).max(366).optional(),
      /** Reviewers have this long to decide. */
      deadlineDays: z.number().int().min(1).max(90).default(14),
      /** What happens to a membership nobody reviewed by the deadline. */
      unreviewed: z.enum(['remove', 'keep']).default('remove'),
      /** A membership unused for this many days is flagged stale. */
      staleAfterDays: z.number().int().min(1).max(3650).default(90),
    })
    .prefault({}),
});

export type BundleManifest = z.infer<typeof bundleManifestSchema>;

function isRegExp(source: string): boolean {
  try {
    new RegExp(source, 'u');
    return true;
  } catch {
    return false;
  }
}
