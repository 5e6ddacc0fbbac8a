import type { PostureCheck } from './PostureCheck.js';
import { unknown } from './PostureFinding.js';
import { describeExecFailure } from './describeExecFailure.js';
import { endpointExpected, judgeEndpointProcesses } from './judgeEndpointProcesses.js';

const fixConfigure =
  'Ask your administrator to list the endpoint-protection processes for macOS (posture option endpointProcesses.darwin).';

export const checkEndpointProtectionDarwin: PostureCheck = {
  id: 'endpoint_protection',
  async run(context) {
    const wanted = context.options.endpointProcesses.darwin;
    const expected = endpointExpected(wanted);
    if (wanted.length === 0)
      return unknown('no endpoint-protection process is configured for macOS', expected, fixConfigure);
    // -ww: never cut the executable path to the terminal width.
    const ps = await context.host.exec('ps', ['-axww', '-o', 'comm='], {
      timeoutMs: context.options.checkTimeoutMs,
    });
    const failure = describeExecFailure('ps', ps);
    if (failure) return unknown(failure, expected, fixConfigure);
    const running = ps.stdout
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.length > 0)
      .map((path) => ({ name: path.split('/').pop() ?? path, path }));
    if (running.length === 0) return unknown('ps listed no processes', expected, fixConfigure);
    return judgeEndpointProcesses(wanted, running, { caseInsensitive: false, separator: '/' });
  },
};
