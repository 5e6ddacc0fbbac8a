import type { BundleManifest } from '../policy/bundleManifestSchema.js';
import type { TargetRules } from './targetRules.js';

/**
 * The request rules that are not Cedar (bundle.json `requests`): a reason a reviewer can act on,
 * a ticket in the bundle's format, a duration within the target's maximum. Returns every problem
 * in words; empty when the request is well-formed.
 */
export function checkRequestRules(
  manifest: BundleManifest,
  rules: TargetRules,
  request: { durationMinutes: number; reason: string; ticket?: string | undefined },
): string[] {
  const problems: string[] = [];
  const { minReasonLength, ticketPattern } = manifest.requests;
  const reason = request.reason.trim().replace(/\s+/gu, ' ');
  // "." is not a reason, and neither is "............": count letters and digits, not length.
  const meaningful = (reason.match(/[\p{L}\p{N}]/gu) ?? []).length;
  if (reason.length < minReasonLength || meaningful < Math.ceil(minReasonLength / 2)) {
    problems.push(`reason: say why in at least ${minReasonLength} characters (words, not punctuation)`);
  }
  if (
    request.ticket !== undefined &&
    ticketPattern !== undefined &&
    !new RegExp(ticketPattern, 'u').test(request.ticket)
  ) {
    problems.push(`ticket: "${request.ticket.slice(0, 100)}" does not match the pattern ${ticketPattern}`);
  }
  if (request.durationMinutes > rules.maxDurationMinutes) {
    problems.push(
      `duration: ${request.durationMinutes} minutes is longer than the ${rules.maxDurationMinutes} minutes allowed for ${rules.type} "${rules.id}"`,
    );
  }
  return problems;
}
