#!/usr/bin/env node
/**
 * The `strongroom` command. Start-up time matters (scripts call `strongroom token` often, the AWS
 * tools call `credential-process` before every refresh, git and kubectl their credential helpers
 * on every use): the hot commands in their plain forms skip
 * commander entirely, everything else loads the full parser,
 * and each command's code, and what it needs, is imported only when it runs.
 */
import { hotCommand } from '../hotCommand.js';
import { hotCredentialProcess } from '../hotCredentialProcess.js';
import { hotTokenHelper } from '../hotTokenHelper.js';
import { runCommand } from '../runCommand.js';

const args = process.argv.slice(2);
const hot = hotCommand(args);
// With the agent running, status and token are one round trip on its socket (issue 8); without
// it (or when it serves another profile) they work alone below.
let answered = false;
if (hot !== undefined)
  await runCommand(hot.json, async () => {
    const code = await (await import('../viaAgent.js')).viaAgent(hot, process.env);
    answered = code !== undefined;
    return code ?? 0;
  });
const awsProcess = hot === undefined ? hotCredentialProcess(args) : undefined;
// git runs its helper for every fetch and push, kubectl its exec plugin in every invocation.
const helper = hot === undefined && awsProcess === undefined ? hotTokenHelper(args) : undefined;
if (answered) {
  // answered by the agent
} else if (awsProcess !== undefined) {
  await runCommand(false, async () =>
    (await import('../commands/credentialProcess.js')).credentialProcess({}, awsProcess),
  );
} else if (helper?.name === 'git-credential') {
  await runCommand(false, async () =>
    (await import('../commands/gitCredential.js')).gitCredential({}, helper.action),
  );
} else if (helper?.name === 'kube-credential') {
  await runCommand(false, async () =>
    (await import('../commands/kubeCredential.js')).kubeCredential({}, { cluster: helper.cluster }),
  );
} else if (args.length === 1 && args[0] === 'agent') {
  // The long-lived agent in its plain form: without commander and the whole command tree, which it
  // would otherwise hold for its lifetime (issue 8's idle memory budget).
  (await import('@strongroom/shared/agent/leanAgentHeap.js')).leanAgentHeap();
  await runCommand(false, async () => (await import('../commands/agent.js')).agent({}, {}));
} else if (hot?.name === 'status') {
  await runCommand(hot.json, async () =>
    (await import('../commands/status.js')).status({}, { json: hot.json }),
  );
} else if (hot?.name === 'token') {
  await runCommand(hot.json, async () =>
    (await import('../commands/token.js')).token({}, { json: hot.json }),
  );
} else {
  const { runProgram } = await import('../program.js');
  await runProgram(process.argv);
}
