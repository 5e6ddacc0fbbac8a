import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { describeExecFailure } from './describeExecFailure.js';

const expected = 'Secure Boot at Full Security (Apple silicon or T2)';
const fix = 'Restore Full Security: start up in Recovery → Startup Security Utility → Full Security.';

export const checkSecureBootDarwin: PostureCheck = {
  id: 'secure_boot',
  async run(context) {
    // The Controller section lists the boot policy without needing root (unlike bputil).
    const result = await context.host.exec('system_profiler', ['SPiBridgeDataType'], {
      timeoutMs: context.options.checkTimeoutMs,
    });
    const failure = describeExecFailure('system_profiler SPiBridgeDataType', result);
    if (failure) return unknown(failure, expected, fix);
    const policy = /^\s*Secure Boot:\s*(.+?)\s*$/m.exec(result.stdout)?.[1];
    if (policy === 'Full Security') return passed(`Secure Boot: ${policy}`, expected);
    if (policy && /^(Medium|Reduced|Permissive|No) Security$/.test(policy))
      return failed(`Secure Boot: ${policy}`, expected, fix);
    // system_profiler is translated, and prints nothing on Macs without a T2 or Apple silicon.
    return unknown(
      policy
        ? `Secure Boot: "${policy}" not understood`
        : 'system_profiler: no Secure Boot line (no T2/Apple silicon, or not English)',
      expected,
      fix,
    );
  },
};
