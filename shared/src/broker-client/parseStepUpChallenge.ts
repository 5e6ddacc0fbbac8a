import type { StepUpRequirements } from '../oidc/loginWithBrowser.js';

interface Challenge {
  readonly scheme: string;
  readonly parameters: { readonly [name: string]: string | undefined } | object;
}

const param = (c: Challenge, name: string): string | undefined => {
  const value = (c.parameters as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
};

/**
 * RFC 9470 §3: a resource answers `WWW-Authenticate: DPoP error="insufficient_user_authentication"`
 * with `acr_values` and/or `max_age` saying what authentication it needs. Returns them, or undefined
 * when the challenges are about something else.
 */
export function parseStepUpChallenge(challenges: readonly Challenge[]): StepUpRequirements | undefined {
  const challenge = challenges.find((c) => param(c, 'error') === 'insufficient_user_authentication');
  if (challenge === undefined) return undefined;
  const acr = param(challenge, 'acr_values');
  const maxAgeText = param(challenge, 'max_age');
  const maxAge = maxAgeText !== undefined && /^\d+$/.test(maxAgeText) ? Number(maxAgeText) : undefined;
  return { acrValues: acr === undefined ? undefined : acr.split(' ').filter((v) => v !== ''), maxAge };
}
