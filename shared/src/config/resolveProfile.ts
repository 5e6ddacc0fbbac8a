import { StrongroomError } from '../errors/StrongroomError.js';
import type { ProfileConfig, StrongroomConfig } from './StrongroomConfig.js';

export interface ResolvedProfile extends ProfileConfig {
  readonly name: string;
}

/** The profile to use: an explicit choice (flag or STRONGROOM_PROFILE) or the config's current one. */
export function resolveProfile(config: StrongroomConfig, explicit: string | undefined): ResolvedProfile {
  const name = explicit ?? config.currentProfile;
  const profile = config.profiles[name];
  if (profile === undefined) {
    const known = Object.keys(config.profiles).join(', ') || 'none';
    throw new StrongroomError('usage', `There is no profile "${name}" (known: ${known}).`, {
      hint: `Create it with \`strongroom config set-broker <url> --profile ${name}\`.`,
    });
  }
  return Object.freeze({ name, ...profile });
}
