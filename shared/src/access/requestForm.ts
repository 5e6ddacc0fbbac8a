import { StrongroomError } from '../errors/StrongroomError.js';
import type { z } from 'zod';
import { agentAccessRequestParamsSchema } from '../protocol/agentApi.js';
import type { DryRunResponse, TargetView, TargetsResponse } from '../protocol/jitApi.js';
import { parseDuration } from './parseDuration.js';

/**
 * The request form's rules on the client (extension, tray): the same rules the broker applies
 * (bundle.json `requests`, broker/src/jit/checkRequestRules.ts), checked while the user types so a
 * request is not sent only to be refused. The broker still decides. Each check returns the problem
 * in words, or undefined when the input is acceptable (VS Code's `validateInput` contract).
 */
export type RequestRules = TargetsResponse['requestRules'];
export type AccessRequestInput = z.infer<typeof agentAccessRequestParamsSchema>;

export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}

/** A target as a pick: what it is, its tier, how long at most, how many approvals. */
export function describeTarget(t: TargetView): { label: string; description: string; detail: string } {
  const approvals =
    t.approvalsRequired === 0
      ? 'no approval needed'
      : `${t.approvalsRequired} approval${t.approvalsRequired === 1 ? '' : 's'} needed`;
  return {
    label: t.type === 'Role' ? t.id : `${t.type}:${t.id}`,
    description: `${t.tier} · up to ${formatMinutes(t.maxDurationMinutes)}`,
    detail: [approvals, t.emergency ? 'break-glass: alerted and reviewed' : undefined, t.description]
      .filter((s) => s !== undefined && s !== '')
      .join(' · '),
  };
}

export function checkDuration(text: string, target: TargetView): string | undefined {
  let minutes: number;
  try {
    minutes = parseDuration(text);
  } catch (error) {
    return error instanceof StrongroomError ? error.message : 'Not a duration.';
  }
  if (minutes > target.maxDurationMinutes)
    return `At most ${formatMinutes(target.maxDurationMinutes)} for ${target.id}.`;
  return undefined;
}

/** "." is not a reason, and neither is "............": letters and digits count, not length. */
export function checkReason(text: string, rules: RequestRules): string | undefined {
  const reason = text.trim().replace(/\s+/gu, ' ');
  const meaningful = (reason.match(/[\p{L}\p{N}]/gu) ?? []).length;
  if (reason.length > 2000) return 'At most 2000 characters.';
  if (reason.length < rules.minReasonLength || meaningful < Math.ceil(rules.minReasonLength / 2))
    return `Say why in at least ${rules.minReasonLength} characters (words, not punctuation); approvers read it.`;
  return undefined;
}

/** Optional: empty is fine. The pattern is the bundle's (JavaScript RegExp source). */
export function checkTicket(text: string, rules: RequestRules): string | undefined {
  const ticket = text.trim();
  if (ticket === '') return undefined;
  if (ticket.length > 100) return 'At most 100 characters.';
  if (rules.ticketPattern !== undefined && !new RegExp(rules.ticketPattern, 'u').test(ticket))
    return `Does not match the ticket format ${rules.ticketPattern}.`;
  return undefined;
}

/** The request body from the form's text, every rule checked at once (all problems reported). */
export function buildAccessRequest(
  target: TargetView,
  rules: RequestRules,
  input: { duration: string; reason: string; ticket: string },
): AccessRequestInput {
  const problems = [
    checkDuration(input.duration, target),
    checkReason(input.reason, rules),
    checkTicket(input.ticket, rules),
  ].filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new StrongroomError('usage', problems.join(' '));
  const ticket = input.ticket.trim();
  return agentAccessRequestParamsSchema.parse({
    target: { type: target.type, id: target.id },
    durationMinutes: parseDuration(input.duration),
    reason: input.reason.trim(),
    ...(ticket === '' ? {} : { ticket }),
  });
}

/** The dry run's answer in one line for a confirmation prompt, or the denial with its reasons. */
export function describeDryRun(answer: DryRunResponse, target: TargetView): string {
  if (!answer.allowed) return `Would be denied: ${answer.reasons.join('; ') || 'no rule allows it'}.`;
  const approvals =
    answer.approvalsRequired === 0
      ? answer.emergency
        ? 'granted at once as break-glass (alerted, reviewed afterwards)'
        : 'no approval needed'
      : `needs ${answer.approvalsRequired} approval${answer.approvalsRequired === 1 ? '' : 's'}`;
  return `${target.id} would be allowed: ${approvals}, at most ${formatMinutes(answer.maxDurationMinutes)}.`;
}
