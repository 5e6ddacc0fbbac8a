import type { PostureReport } from '../posture/PostureReport.js';
import type { AgentPosture } from '../protocol/agentApi.js';

/**
 * A posture report as the tray shows it: fail if any check failed, pass only when every check
 * passed, unknown otherwise (a check that could not be read is not a pass). The checks that did
 * not pass are listed with their fixes, failures first.
 */
export function summarizePosture(
  report: PostureReport,
): Pick<AgentPosture, 'status' | 'failing' | 'checkedAt'> {
  const notPassing = report.checks
    .filter((c) => c.status !== 'pass')
    .sort((a, b) => (a.status === b.status ? 0 : a.status === 'fail' ? -1 : 1));
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
    failing: notPassing.map((c) => ({
      id: c.id,
      title: c.title,
      status: c.status,
      observed: c.observed,
      fix: c.fix,
    })),
    checkedAt: Date.parse(report.checkedAt),
  };
}
