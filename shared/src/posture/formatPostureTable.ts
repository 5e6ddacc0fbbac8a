import { printable } from './PostureFinding.js';
import type { PostureReport } from './PostureReport.js';

const statusLabel = { pass: 'PASS', fail: 'FAIL', unknown: 'UNKNOWN' } as const;

/**
 * A plain-text table of a posture report for `strongroom posture`, then the fix for every check that
 * failed or could not be read. Every cell goes through `printable` again, so a report that came from
 * elsewhere (JSON from another process) cannot carry terminal escapes either.
 */
export function formatPostureTable(report: PostureReport, options: { observedWidth?: number } = {}): string {
  const observedWidth = options.observedWidth ?? 72;
  const rows = report.checks.map(
    (check) =>
      [
        printable(check.title, 40),
        statusLabel[check.status],
        printable(check.observed, observedWidth),
      ] as const,
  );
  const header = ['CHECK', 'STATUS', 'OBSERVED'] as const;
  const widths = [0, 1].map((column) =>
    Math.max(header[column]?.length ?? 0, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [
    `Device posture (${printable(report.platform, 32)}, ${printable(report.checkedAt, 40)})`,
    '',
    line(header),
    ...rows.map(line),
  ];

  const counts = (['pass', 'fail', 'unknown'] as const).map(
    (status) => `${String(report.checks.filter((check) => check.status === status).length)} ${status}`,
  );
  out.push('', counts.join(', '));
  const toFix = report.checks.filter((check) => check.status !== 'pass' && check.fix);
  if (toFix.length > 0) {
    out.push('', 'To fix:');
    for (const check of toFix)
      out.push(`  ${statusLabel[check.status]} ${printable(check.title, 40)}: ${printable(check.fix)}`);
  }
  return `${out.join('\n')}\n`;
}
