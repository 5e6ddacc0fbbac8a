import type { PostureCheck } from './PostureCheck.js';
import { unknown } from './PostureFinding.js';
import { endpointExpected, judgeEndpointProcesses } from './judgeEndpointProcesses.js';
import { listLinuxProcesses } from './linuxProcesses.js';

const fixConfigure =
  'Ask your administrator to list the endpoint-protection processes for Linux (posture option endpointProcesses.linux).';

export const checkEndpointProtectionLinux: PostureCheck = {
  id: 'endpoint_protection',
  async run(context) {
    const wanted = context.options.endpointProcesses.linux;
    const expected = endpointExpected(wanted);
    // Without a list there is nothing to look for; inferring it from well-known agent names would be a guess.
    if (wanted.length === 0)
      return unknown('no endpoint-protection process is configured for Linux', expected, fixConfigure);
    const list = await listLinuxProcesses(context);
    if (!list.ok) {
      return unknown(
        list.detail,
        expected,
        'Make /proc readable (is it mounted with hidepid?) so running processes can be listed.',
      );
    }
    // `comm` keeps only 15 characters; argv[0] carries the full name and, usually, the path.
    const running = list.processes.map((process) => ({ name: process.comm, path: process.argv0 }));
    return judgeEndpointProcesses(wanted, running, { caseInsensitive: false, separator: '/' });
  },
};
