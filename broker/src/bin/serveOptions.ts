import type { Command } from 'commander';
import type { BrokerConfigInput } from '../config/brokerConfigSchema.js';
import { storeConfigFrom, type StoreFlags } from './storeOptions.js';

export interface ServeFlags extends StoreFlags {
  port?: string;
  host?: string;
  issuer?: string;
  insecureDev?: boolean;
  demo?: boolean;
  accessTokenTtl?: string;
  sessionTtl?: string;
  enrollmentTtl?: string;
  aaguid?: string[];
  adminEmail?: string;
  tlsCert?: string;
  tlsKey?: string;
  policy?: string;
  awsAudience?: string;
  requireAdminApprovalForReenrollment?: boolean;
}

export function addServeOptions(command: Command): Command {
  return command
    .option('--port <port>', 'TCP port (default 7700)')
    .option('--host <address>', 'address to bind (default 127.0.0.1)')
    .option('--issuer <url>', 'issuer URL (default http://localhost:<port>)')
    .option('--insecure-dev', 'allow plain HTTP on a non-loopback address (development only)')
    .option('--demo', 'create demo roles and example assets')
    .option('--access-token-ttl <seconds>', 'access token lifetime (default 600)')
    .option('--session-ttl <seconds>', 'absolute session lifetime (default 43200)')
    .option('--enrollment-ttl <seconds>', 'enrollment link lifetime (default 900)')
    .option('--aaguid <uuid...>', 'allowed authenticator models (AAGUIDs); default any')
    .option('--admin-email <email>', 'email of the first admin (default admin@localhost)')
    .option('--tls-cert <file>', 'PEM certificate for HTTPS')
    .option('--tls-key <file>', 'PEM private key for HTTPS')
    .option(
      '--policy <dir>',
      'policy bundle directory (default: the bundle shipped with the broker; SIGHUP reloads it)',
    )
    .option('--aws-audience <aud>', 'aud of AWS web-identity tokens (default sts.amazonaws.com)')
    .option(
      '--require-admin-approval-for-reenrollment',
      'a new device key for a machine that already has one waits (pending) for an admin',
    );
}

const num = (value: string | undefined): number | undefined =>
  value === undefined ? undefined : Number(value);

/** Flags and environment into one config input; the zod schema reports every problem at once. */
export function serveConfigFrom(flags: ServeFlags, env: NodeJS.ProcessEnv): BrokerConfigInput {
  const input: BrokerConfigInput = { ...storeConfigFrom(flags, env) };
  const port = num(flags.port ?? env['STRONGROOM_PORT']);
  if (port !== undefined) input.port = port;
  if (flags.host) input.host = flags.host;
  const issuer = flags.issuer ?? env['STRONGROOM_ISSUER'];
  if (issuer) input.issuer = issuer;
  if (flags.insecureDev) input.insecureDev = true;
  if (flags.demo) input.demo = true;
  if (flags.accessTokenTtl) input.accessTokenTtlSeconds = Number(flags.accessTokenTtl);
  if (flags.sessionTtl) input.sessionTtlSeconds = Number(flags.sessionTtl);
  if (flags.enrollmentTtl) input.enrollmentTtlSeconds = Number(flags.enrollmentTtl);
  if (flags.aaguid) input.aaguidAllowList = flags.aaguid.map((a) => a.toLowerCase());
  if (flags.adminEmail) input.adminEmail = flags.adminEmail;
  const policyDir = flags.policy ?? env['STRONGROOM_POLICY_DIR'];
  if (policyDir) input.policyDir = policyDir;
  const awsAudience = flags.awsAudience ?? env['STRONGROOM_AWS_AUDIENCE'];
  if (awsAudience) input.awsAudience = awsAudience;
  if (flags.requireAdminApprovalForReenrollment)
    input.devices = { requireAdminApprovalForReenrollment: true };
  if (flags.tlsCert || flags.tlsKey)
    input.tls = { certFile: flags.tlsCert ?? '', keyFile: flags.tlsKey ?? '' };
  return input;
}
