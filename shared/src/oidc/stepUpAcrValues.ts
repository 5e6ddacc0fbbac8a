import { StrongroomError } from '../errors/StrongroomError.js';

/**
 * The `acr_values` to request when a step-up challenge (RFC 9470 §3) names some. ACR values are
 * opaque strings with no order between them (OIDC Core §2), so the client cannot know that a level
 * it does not recognise is at least as strong as the profile's phishing-resistant one. A resource,
 * or an attacker who can answer in its place, must not talk the client into asking for less:
 * - no values, or values that include the required level: ask for the required level alone (an
 *   OR-list like "weak required" would let the provider pick "weak", §3.1.2.1);
 * - only values the client does not know: refuse before any browser opens, naming them.
 * The token that comes back is still checked for `amr` hwk and this `acr` (checkAuthenticationStrength).
 */
export function stepUpAcrValues(challenged: readonly string[] | undefined, required: string): string[] {
  if (challenged === undefined || challenged.length === 0 || challenged.includes(required)) return [required];
  throw new StrongroomError(
    'insufficient_authentication',
    `The broker asked for a sign-in at level "${challenged.join('" or "')}", which this client cannot verify is at least as strong as the required "${required}"; it will not ask for a possibly weaker sign-in.`,
    {
      hint: 'Nothing was changed. Ask your administrator to require the hardware-key level for this action.',
    },
  );
}
