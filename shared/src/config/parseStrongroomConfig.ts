import { StrongroomError } from '../errors/StrongroomError.js';
import {
  PROFILE_NAME,
  type AwsProfileConfig,
  type ProfileConfig,
  type StrongroomConfig,
} from './StrongroomConfig.js';
import { checkBrokerUrl } from './checkBrokerUrl.js';
import { GIT_HOST, KUBE_CLUSTER, parseServiceMap } from './parseServiceMap.js';

/**
 * Validates the config file's JSON and reports every problem at once. Hand-written rather than
 * zod: `strongroom status` and `strongroom token` must start in a fraction of Node's own start-up
 * time, and loading zod alone costs more than that budget (see bench/src/cliBench.ts).
 * Unknown fields are refused so a typo never silently changes which broker is trusted.
 */
export function parseStrongroomConfig(input: unknown, source: string): StrongroomConfig {
  const problems: string[] = [];
  const isObject = (v: unknown): v is Record<string, unknown> =>
    typeof v === 'object' && v !== null && !Array.isArray(v);
  if (!isObject(input)) throw invalid(source, ['the file must hold a JSON object']);
  for (const key of Object.keys(input)) {
    if (key !== 'currentProfile' && key !== 'profiles') problems.push(`unknown field "${key}"`);
  }
  const profiles: Record<string, ProfileConfig> = {};
  if (!isObject(input['profiles'])) problems.push('"profiles" must be an object');
  else {
    for (const [name, raw] of Object.entries(input['profiles'])) {
      if (!PROFILE_NAME.test(name))
        problems.push(`profile name "${name}" must be letters, digits, "_" or "-"`);
      if (!isObject(raw)) {
        problems.push(`profiles.${name} must be an object`);
        continue;
      }
      for (const key of Object.keys(raw)) {
        if (!['broker', 'clientId', 'acr', 'aws', 'git', 'kube'].includes(key))
          problems.push(`profiles.${name}: unknown field "${key}"`);
      }
      const { broker, clientId, acr } = raw;
      if (typeof broker !== 'string') problems.push(`profiles.${name}.broker must be a URL`);
      else {
        const problem = checkBrokerUrl(broker);
        if (problem !== undefined) problems.push(`profiles.${name}.broker: ${problem}`);
      }
      if (typeof clientId !== 'string' || clientId === '')
        problems.push(`profiles.${name}.clientId must be a non-empty string`);
      if (typeof acr !== 'string' || acr === '')
        problems.push(`profiles.${name}.acr must be a non-empty string`);
      const aws = raw['aws'] === undefined ? undefined : parseAwsProfile(raw['aws'], name, problems);
      const git = parseServiceMap(raw['git'], `profiles.${name}.git`, GIT_HOST, problems);
      const kube = parseServiceMap(raw['kube'], `profiles.${name}.kube`, KUBE_CLUSTER, problems);
      if (typeof broker === 'string' && typeof clientId === 'string' && typeof acr === 'string') {
        profiles[name] = Object.freeze({
          broker,
          clientId,
          acr,
          ...(aws === undefined ? {} : { aws }),
          ...(git === undefined ? {} : { git }),
          ...(kube === undefined ? {} : { kube }),
        });
      }
    }
  }
  const current = input['currentProfile'];
  if (typeof current !== 'string') problems.push('"currentProfile" must be a profile name');
  else if (isObject(input['profiles']) && !(current in input['profiles'])) {
    problems.push(`"currentProfile" names "${current}", which is not in "profiles"`);
  }
  if (problems.length > 0) throw invalid(source, problems);
  return Object.freeze({ currentProfile: current as string, profiles: Object.freeze(profiles) });
}

/** `profiles.<name>.aws`: `{ stsEndpoint?, region? }`; the endpoint receives web-identity tokens, so https or loopback. */
function parseAwsProfile(raw: unknown, name: string, problems: string[]): AwsProfileConfig | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`profiles.${name}.aws must be an object`);
    return undefined;
  }
  const fields = raw as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (key !== 'stsEndpoint' && key !== 'region')
      problems.push(`profiles.${name}.aws: unknown field "${key}"`);
  }
  const { stsEndpoint, region } = fields;
  if (stsEndpoint !== undefined) {
    const problem = typeof stsEndpoint === 'string' ? checkBrokerUrl(stsEndpoint) : 'must be a URL';
    if (problem !== undefined) problems.push(`profiles.${name}.aws.stsEndpoint: ${problem}`);
  }
  if (region !== undefined && (typeof region !== 'string' || !/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)))
    problems.push(`profiles.${name}.aws.region must be an AWS region such as us-east-1`);
  return Object.freeze({
    ...(typeof stsEndpoint === 'string' ? { stsEndpoint } : {}),
    ...(typeof region === 'string' ? { region } : {}),
  });
}

function invalid(source: string, problems: string[]): StrongroomError {
  return new StrongroomError(
    'config_invalid',
    `The Strongroom config in ${source} is invalid: ${problems.join('; ')}.`,
    {
      hint: 'Fix the file, or delete it and set it again with `strongroom config set-broker <url>`.',
    },
  );
}
