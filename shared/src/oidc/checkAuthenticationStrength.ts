import { StrongroomError } from '../errors/StrongroomError.js';

/**
 * We asked for a phishing-resistant hardware-key login with `acr_values` (OIDC Core §3.1.2.1), but
 * a provider may treat that as voluntary (§5.5.1.1) and issue a weaker token. So the client checks
 * itself, against any provider: `amr` must contain `hwk` (RFC 8176 §2, proof of possession of a
 * hardware-secured key) and `acr` must be one of the levels asked for. The error names what failed.
 */
export function checkAuthenticationStrength(
  claims: Record<string, unknown>,
  acceptedAcr: readonly string[],
): { amr: string[]; acr: string } {
  const amr = Array.isArray(claims['amr'])
    ? claims['amr'].filter((v): v is string => typeof v === 'string')
    : [];
  const acr = typeof claims['acr'] === 'string' ? claims['acr'] : undefined;
  const problems: string[] = [];
  if (!amr.includes('hwk')) {
    problems.push(
      `its "amr" is ${amr.length === 0 ? 'missing' : `[${amr.join(', ')}]`}, without "hwk" (a hardware security key)`,
    );
  }
  if (acr === undefined) problems.push(`it has no "acr" (expected ${acceptedAcr.join(' or ')})`);
  else if (!acceptedAcr.includes(acr))
    problems.push(`its "acr" is "${acr}", weaker than the required "${acceptedAcr.join('" or "')}"`);
  if (problems.length > 0 || acr === undefined) {
    throw new StrongroomError(
      'insufficient_authentication',
      `The identity provider's ID token does not prove a hardware-key sign-in: ${problems.join('; ')}.`,
      {
        hint: 'Sign in with your security key. If you did, the provider is not asserting it: ask your administrator to configure it to send amr "hwk" and the required acr.',
      },
    );
  }
  return { amr, acr };
}
