import { failed, passed, type PostureFinding } from './PostureFinding.js';
import { missingProcesses, type MatchRules, type RunningProcess } from './missingProcesses.js';

export const endpointExpected = (wanted: readonly string[]) =>
  wanted.length === 0
    ? 'the configured endpoint-protection processes are running'
    : `running: ${wanted.join(', ')}`;

/** Pass when every configured endpoint-protection process runs; `note` adds context (Defender's state). */
export function judgeEndpointProcesses(
  wanted: readonly string[],
  running: readonly RunningProcess[],
  rules: MatchRules,
  note = '',
): PostureFinding {
  const missing = missingProcesses(wanted, running, rules);
  const suffix = note ? `; ${note}` : '';
  if (missing.length > 0) {
    return failed(
      `not running: ${missing.join(', ')}${suffix}`,
      endpointExpected(wanted),
      `Start (or reinstall) the endpoint-protection agent: ${missing.join(', ')}.`,
    );
  }
  return passed(`running: ${wanted.join(', ')}${suffix}`, endpointExpected(wanted));
}
