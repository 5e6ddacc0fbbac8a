import type { ExecResult } from './PostureHost.js';
import { printable } from './PostureFinding.js';

/**
 * A short, printable account of why a command gave no answer, for `observed` in an `unknown`
 * finding. Returns undefined when the command ran and exited 0, i.e. when its output is the answer.
 */
export function describeExecFailure(command: string, result: ExecResult): string | undefined {
  switch (result.failure) {
    case 'not_found':
      return `${command}: not installed (command not found)`;
    case 'permission_denied':
      return `${command}: permission denied`;
    case 'timeout':
      return `${command}: timed out`;
    case 'output_too_large':
      return `${command}: output too large`;
    case 'spawn_failed':
      return `${command}: could not be started`;
    case undefined:
      break;
  }
  if (result.exitCode === 0) return undefined;
  const detail = firstLine(result.stderr) || firstLine(result.stdout);
  return `${command}: exit ${String(result.exitCode)}${detail ? `: ${printable(detail, 160)}` : ''}`;
}

export function firstLine(text: string): string {
  return (
    text
      .split(/\r?\n/)
      .map((line) => line.trim())
      .find((line) => line.length > 0) ?? ''
  );
}
