import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { STRONGROOM_BIN } from '@strongroom/cli/testing/runStrongroom.js';

/** The IAM role the demo catalog maps ml-researcher's bucket prefix (s3://corp-ml/checkpoints/) to. */
export const DEMO_CHECKPOINTS_ROLE_ARN = 'arn:aws:iam::111122223333:role/strongroom/corp-ml-checkpoints';

export interface AwsRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Debian's awscli (/usr/bin/aws, not a pyenv shim) with no real AWS anywhere: every inherited
 * `AWS_*` variable dropped, instance metadata off, then the `AWS_*` variables of `env` put back.
 */
export async function awscli(args: string[], env: NodeJS.ProcessEnv): Promise<AwsRun> {
  const clean = Object.fromEntries(Object.entries(env).filter(([k]) => !k.startsWith('AWS_')));
  try {
    const { stdout, stderr } = await promisify(execFile)('/usr/bin/aws', args, {
      env: { ...clean, AWS_EC2_METADATA_DISABLED: 'true', ...pickAws(env) },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const pickAws = (env: NodeJS.ProcessEnv): Record<string, string> =>
  Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('AWS_') && e[1] !== undefined),
  );

/**
 * An AWS config in `dir` with `[profile <profile>]` whose `credential_process` is
 * `strongroom credential-process --role <role>` (this checkout's CLI). Returns the variables that
 * point awscli at it (`AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`).
 */
export function credentialProcessConfig(
  dir: string,
  role: string,
  profile = 'sr',
): { AWS_CONFIG_FILE: string; AWS_SHARED_CREDENTIALS_FILE: string } {
  writeFileSync(
    join(dir, 'config'),
    `[profile ${profile}]\ncredential_process = ${process.execPath} ${STRONGROOM_BIN} credential-process --role ${role}\nregion = us-east-1\n`,
  );
  return { AWS_CONFIG_FILE: join(dir, 'config'), AWS_SHARED_CREDENTIALS_FILE: join(dir, 'credentials') };
}
