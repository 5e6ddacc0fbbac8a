#!/usr/bin/env node
/**
 * The `strongroom` command. Start-up time matters (scripts call `strongroom token` often, the AWS
 * tools call `credential-process` before every refresh): the hot commands in their plain forms skip
 * commander entirely, everything else loads the full parser,
 * and each command's code, and what it needs, is imported only when it runs.
 */
import { hotCommand } from '../hotCommand.js';
import { hotCredentialProcess } from '../hotCredentialProcess.js';
import { runCommand } from '../runCommand.js';

const args = process.argv.slice(2);
const hot = hotCommand(args);
const awsProcess = hot === undefined ? hotCredentialProcess(args) : undefined;
if (awsProcess !== undefined) {
  await runCommand(false, async () =>
    (await import('../commands/credentialProcess.js')).credentialProcess({}, awsProcess),
  );
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
