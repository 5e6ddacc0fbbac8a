import { z } from 'zod';
import { postureCheckIds, type PostureCheckId } from './PostureCheckId.js';

// Composite schemas are z.lazy: built on their first parse, not when this module loads, so a
// client that starts with it (the extension's in-process agent, issue 7's < 50 ms) pays only for
// the ones it uses. z.lazy(...).unwrap() gives the object schema where one is extended.

/**
 * The report's shape as data: the attestation (issue 4, step 3) signs and sends exactly this, and
 * the broker validates it with this schema (strict: unknown fields are refused).
 */
export const postureResultSchema = z.lazy(() =>
  z.strictObject({
    id: z.enum(postureCheckIds as [PostureCheckId, ...PostureCheckId[]]),
    title: z.string().max(100),
    status: z.enum(['pass', 'fail', 'unknown']),
    observed: z.string().max(300),
    expected: z.string().max(300),
    fix: z.string().max(300),
    durationMs: z.number().nonnegative(),
  }),
);

export const postureReportSchema = z.lazy(() =>
  z.strictObject({
    platform: z.string().max(32),
    checkedAt: z.iso.datetime(),
    checks: z.array(postureResultSchema).max(postureCheckIds.length),
  }),
);

export type PostureResult = z.output<typeof postureResultSchema>;
export type PostureReport = z.output<typeof postureReportSchema>;
