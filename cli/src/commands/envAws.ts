import { homedir, tmpdir, userInfo } from 'node:os';
import { AgentClient } from '@strongroom/shared/agent/AgentClient.js';
import { parseDuration } from '@strongroom/shared/access/parseDuration.js';
import { agentSocketPath } from '@strongroom/shared/agent/agentSocketPath.js';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { AWS_TERMINAL_METHOD, type AwsTerminalResult } from '@strongroom/shared/protocol/awsAgentApi.js';
import type { GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';
import { explicitHolder, processHolderDeps, tokenHolder, type TokenHolder } from './envAwsHolder.js';

export interface EnvAwsOptions {
  role: string;
  grant?: string;
  label?: string;
  /** A duration (`4h`, `90m`): the token's lifetime, capped by the grant's and the session's end. */
  ttl?: string;
  /** The process that holds the token (default: the shell that evals the output, see envAwsHolder.ts). */
  pid?: string;
  /** For a job runner that hands the token on: no holder process; expiry, the grant and the session end it. */
  job?: boolean;
  json?: boolean;
}

/**
 * `strongroom env aws --role <r>`: shell exports that point the AWS CLI and SDKs at the agent's
 * loopback container-credentials endpoint with a new per-terminal token
 * (`eval "$(strongroom env aws --role r)"`). Pointers only: the keys never reach the environment.
 * The endpoint lives in the agent (it must outlive this command), so the agent must be running.
 * The agent revokes the token when the shell holding it exits (or `--pid`'s process; `--job`: none).
 */
export async function envAws(global: GlobalOptions, options: EnvAwsOptions): Promise<number> {
  const holder = holderFor(options);
  const endpoint = agentSocketPath({
    platform: process.platform,
    env: process.env,
    uid: process.getuid?.(),
    tmpdir: tmpdir(),
    username: userInfo().username,
  });
  const agent = await AgentClient.connect(endpoint, process.getuid?.());
  if (agent === undefined)
    throw new StrongroomError(
      'usage',
      'The Strongroom agent is not running, and it serves the AWS endpoint.',
      {
        hint: 'Start it with `strongroom agent` (or the tray app), or use `credential_process = strongroom credential-process --role <r>` in ~/.aws/config.',
      },
    );
  try {
    const config = await readStrongroomConfig(configPath(process.env, homedir()));
    const result = (await agent.request(AWS_TERMINAL_METHOD, {
      role: options.role,
      profile: global.profile ?? process.env['STRONGROOM_PROFILE'] ?? config.currentProfile,
      ...(options.grant === undefined ? {} : { grantId: options.grant }),
      label: options.label ?? `strongroom env aws --role ${options.role}`.slice(0, 100),
      ...(options.ttl === undefined ? {} : { ttlSeconds: ttlSeconds(options.ttl) }),
      ...(holder === undefined
        ? {}
        : { holderPid: holder.pid, ...(holder.start === undefined ? {} : { holderStart: holder.start }) }),
    })) as AwsTerminalResult;
    if (options.json === true) process.stdout.write(`${JSON.stringify(result)}\n`);
    else {
      for (const [name, value] of Object.entries(result.env))
        process.stdout.write(`export ${name}='${value.replace(/'/g, `'\\''`)}'\n`);
      process.stderr.write(
        `strongroom: AWS tools in this shell now get "${options.role}" from the agent until ${new Date(result.expiresAt).toISOString()} (grant ${result.grantId}); the token dies with the grant${holder === undefined ? '' : ` or when process ${String(holder.pid)} exits`}.\n`,
      );
    }
    return EXIT.ok;
  } finally {
    agent.close();
  }
}

function holderFor(options: EnvAwsOptions): TokenHolder | undefined {
  if (options.job === true && options.pid !== undefined)
    throw new StrongroomError('usage', '--job and --pid do not go together.', {
      hint: '--pid <n>: the token dies with that process; --job: it only expires (or ends with the grant).',
    });
  if (options.job === true) return undefined;
  if (options.pid === undefined) return tokenHolder(processHolderDeps());
  if (!/^[1-9]\d{0,9}$/.test(options.pid) || Number(options.pid) > 2 ** 31 - 1)
    throw new StrongroomError('usage', `--pid ${options.pid} is not a process id.`);
  return explicitHolder(processHolderDeps(), Number(options.pid));
}

/** 1 minute to 12 hours, as the agent accepts. */
function ttlSeconds(text: string): number {
  const minutes = parseDuration(text);
  if (minutes > 12 * 60)
    throw new StrongroomError('usage', `--ttl ${text} is longer than 12 hours.`, {
      hint: 'Tokens never outlive the grant anyway; ask for a longer grant if the job needs one.',
    });
  return minutes * 60;
}
