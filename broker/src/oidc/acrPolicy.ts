import { errors, interactionPolicy, type KoaContextWithOIDC } from 'oidc-provider';
import { HARDWARE_KEY_ACR } from './acr.js';

/**
 * oidc-provider treats `acr_values` as a voluntary claim (OIDC Core §5.5.1.1) and would happily issue
 * a token with another level. We never issue a weaker token than asked for: a request naming only
 * levels we do not support ends with `unmet_authentication_requirements` (OpenID Connect Core
 * Unmet Authentication Requirements 1.0) at the client's redirect URI.
 */
export function acrPolicy(): interactionPolicy.Prompt[] {
  const policy = interactionPolicy.base();
  const login = policy.get('login');
  if (!login) throw new Error('oidc-provider base policy has no login prompt');
  login.checks.add(
    new interactionPolicy.Check(
      'acr_unsupported',
      'requested acr_values cannot be met',
      (ctx: KoaContextWithOIDC) => {
        const requested = ctx.oidc.params?.['acr_values'];
        if (typeof requested !== 'string' || requested.trim() === '')
          return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        if (requested.split(' ').includes(HARDWARE_KEY_ACR)) return interactionPolicy.Check.NO_NEED_TO_PROMPT;
        throw new errors.UnmetAuthenticationRequirements(
          `this provider only asserts acr ${HARDWARE_KEY_ACR}`,
        );
      },
    ),
  );
  return policy;
}
