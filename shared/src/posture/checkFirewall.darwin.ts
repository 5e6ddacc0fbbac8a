import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { describeExecFailure, firstLine } from './describeExecFailure.js';

const expected = 'the macOS application firewall is on (State = 1 or 2)';
const fix = 'Turn on the firewall: System Settings → Network → Firewall.';

export const checkFirewallDarwin: PostureCheck = {
  id: 'firewall',
  async run(context) {
    const result = await context.host.exec(
      '/usr/libexec/ApplicationFirewall/socketfilterfw',
      ['--getglobalstate'],
      {
        timeoutMs: context.options.checkTimeoutMs,
      },
    );
    const failure = describeExecFailure('socketfilterfw --getglobalstate', result);
    if (failure) return unknown(failure, expected, fix);
    const line = firstLine(result.stdout);
    // The number is the answer (0 off, 1 on, 2 block all incoming); the words around it vary by release.
    const state = /\(State = (\d)\)/.exec(line)?.[1];
    if (state === '1' || state === '2') return passed(line, expected);
    if (state === '0') return failed(line, expected, fix);
    return unknown(`socketfilterfw: output not understood: "${line}"`, expected, fix);
  },
};
