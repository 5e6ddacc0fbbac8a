import type { PostureReport } from '../posture/PostureReport.js';
import type { AgentPosture } from '../protocol/agentApi.js';

const ORDER = { fail: 0, unknown: 1, pass: 2 } as const;

/**
 * A posture report as the tray shows it: fail if any check failed, pass only when every check
 * passed, unknown otherwise (a check that could not be read is not a pass). `checks` lists every
 * check with its fix, failures first, then unknown, then passes (the run's order within each);
 * `failing` the ones that did not pass, in the same order.
 */
export function summarizePosture(
  report: PostureReport,
): Pick<AgentPosture, 'status' | 'failing' | 'checks' | 'checkedAt'> {
  const checks = report.checks
    .map((c) => ({ id: c.id, title: c.title, status: c.status, observed: c.observed, fix: c.fix }))
    .sort((a, b) => ORDER[a.status] - ORDER[b.status]);
  const notPassing = checks.filter((c) => c.status !== 'pass');
  const status =
    report.checks.length === 0
      ? 'unknown'
      : notPassing.some((c) => c.status === 'fail')
        ? 'fail'
        : notPassing.length > 0
          ? 'unknown'
          : 'pass';
  return {
    status,
    failing: notPassing,
    checks,
    checkedAt: Date.parse(report.checkedAt),
  };
}
