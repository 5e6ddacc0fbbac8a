import type { PostureCheck } from './PostureCheck.js';
import { failed, passed, unknown } from './PostureFinding.js';
import { listLinuxProcesses } from './linuxProcesses.js';
import { missingProcesses } from './missingProcesses.js';

const fixConfigure =
  'Ask your administrator to list the endpoint-protection processes for Linux (posture option endpointProcesses.linux).';

export const checkEndpointProtectionLinux: PostureCheck = {
  id: 'endpoint_protection',
  async run(context) {
    const wanted = context.options.endpointProcesses.linux;
    const expected =
      wanted.length === 0
        ? 'the configured endpoint-protection processes are running'
        : `running: ${wanted.join(', ')}`;
    // Without a list there is nothing to look for; guessing from well-known agent names would be a guess.
    if (wanted.length === 0)
      return unknown('no endpoint-protection process is configured for Linux', expected, fixConfigure);
    const list = await listLinuxProcesses(context.host);
    if (!list.ok)
      return unknown(
        list.detail,
        expected,
        'Make /proc readable (it is hidden with hidepid?) so running processes can be listed.',
      );
    // `comm` keeps only 15 characters; argv[0] carries the full name and, usually, the path.
    const running = list.processes.map((process) => ({ name: process.comm, path: process.argv0 }));
    const missing = missingProcesses(wanted, running, { caseInsensitive: false, separator: '/' });
    if (missing.length > 0) {
      return failed(
        `not running: ${missing.join(', ')} (${String(list.processes.length)} processes seen)`,
        expected,
        `Start (or reinstall) the endpoint-protection agent: ${missing.join(', ')}.`,
      );
    }
    return passed(`running: ${wanted.join(', ')}`, expected);
  },
};
