import { homedir } from 'node:os';
import {
  DEFAULT_ACR,
  DEFAULT_CLIENT_ID,
  type ProfileConfig,
} from '@strongroom/shared/config/StrongroomConfig.js';
import { checkBrokerUrl } from '@strongroom/shared/config/checkBrokerUrl.js';
import { configPath } from '@strongroom/shared/config/configPath.js';
import { readStrongroomConfig } from '@strongroom/shared/config/readStrongroomConfig.js';
import { resolveProfile } from '@strongroom/shared/config/resolveProfile.js';
import { writeStrongroomConfig } from '@strongroom/shared/config/writeStrongroomConfig.js';
import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import type { GlobalOptions } from '../cliContext.js';
import { EXIT } from '../exitCodes.js';

const file = (): string => configPath(process.env, homedir());

/** `strongroom config show`: the profiles and which one is current. No secrets live here. */
export async function configShow(_global: GlobalOptions, options: { json?: boolean }): Promise<number> {
  const config = await readStrongroomConfig(file());
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ file: file(), ...config })}\n`);
    return EXIT.ok;
  }
  process.stdout.write(`Config file: ${file()}\n`);
  for (const [name, profile] of Object.entries(config.profiles)) {
    process.stdout.write(
      `${name === config.currentProfile ? '*' : ' '} ${name}: ${profile.broker} (client ${profile.clientId}, acr ${profile.acr})\n`,
    );
  }
  return EXIT.ok;
}

/** `strongroom config set-broker <url>`: create or update a profile; `--use` makes it current. */
export async function configSetBroker(
  global: GlobalOptions,
  url: string,
  options: { clientId?: string; acr?: string; use?: boolean },
): Promise<number> {
  const problem = checkBrokerUrl(url);
  if (problem !== undefined)
    throw new StrongroomError('usage', `The broker URL ${problem}.`, {
      hint: 'Example: `strongroom config set-broker https://broker.example.com`.',
    });
  const config = await readStrongroomConfig(file());
  const name = global.profile ?? process.env['STRONGROOM_PROFILE'] ?? config.currentProfile;
  const existing = config.profiles[name];
  const profile: ProfileConfig = {
    // Keep the rest of the profile (aws, git hosts, kube clusters): set-broker changes only these.
    ...existing,
    broker: new URL(url).href.replace(/\/$/, ''),
    clientId: options.clientId ?? existing?.clientId ?? DEFAULT_CLIENT_ID,
    acr: options.acr ?? existing?.acr ?? DEFAULT_ACR,
  };
  const next = {
    currentProfile: options.use === true ? name : config.currentProfile,
    profiles: { ...config.profiles, [name]: profile },
  };
  await writeStrongroomConfig(file(), next);
  process.stdout.write(
    `Profile "${name}" now uses ${profile.broker}.${existing !== undefined && existing.broker !== profile.broker ? ' Sign in again with `strongroom login`.' : ''}\n`,
  );
  return EXIT.ok;
}

/** `strongroom config set-aws`: the profile's STS endpoint and region (no secrets; validated on write). */
export async function configSetAws(
  global: GlobalOptions,
  options: { stsEndpoint?: string; region?: string },
): Promise<number> {
  const config = await readStrongroomConfig(file());
  const profile = resolveProfile(config, global.profile ?? process.env['STRONGROOM_PROFILE']);
  const { name, ...current } = profile;
  const aws = { ...current.aws };
  if (options.stsEndpoint === 'default') delete aws.stsEndpoint;
  else if (options.stsEndpoint !== undefined) aws.stsEndpoint = options.stsEndpoint;
  if (options.region !== undefined) aws.region = options.region;
  const next: ProfileConfig = { ...current, aws };
  await writeStrongroomConfig(file(), { ...config, profiles: { ...config.profiles, [name]: next } });
  process.stdout.write(
    `Profile "${name}": AWS STS ${aws.stsEndpoint ?? 'AWS default'}, region ${aws.region ?? 'us-east-1'}.\n`,
  );
  return EXIT.ok;
}

/** `strongroom config use <profile>`: switch the current profile. */
export async function configUse(_global: GlobalOptions, name: string): Promise<number> {
  const config = await readStrongroomConfig(file());
  resolveProfile(config, name);
  await writeStrongroomConfig(file(), { ...config, currentProfile: name });
  process.stdout.write(`Now using profile "${name}".\n`);
  return EXIT.ok;
}
