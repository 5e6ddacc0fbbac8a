import type Provider from 'oidc-provider';
import { errors, type KoaContextWithOIDC } from 'oidc-provider';
import validateDpop, { checkDpopReplay } from 'oidc-provider/lib/helpers/validate_dpop.js';
import type { DeviceContextLookup } from '../api/posture/deviceContextFor.js';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import { BrokerError } from '../errors/BrokerError.js';
import { authorizeSessionEvent } from '../jit/authorizeSessionEvent.js';
import type { JitDeps } from '../jit/JitDeps.js';
import type { Store } from '../store/Store.js';
import { authorizeIssuance } from './authorizeIssuance.js';
import { callerOfSubjectToken } from './callerOfSubjectToken.js';
import { confirmIssuanceInTx } from './confirmIssuanceInTx.js';
import type { GrantTokenIssuer } from './grantTokenIssuer.js';
import { serviceForAudience } from './serviceForAudience.js';
import { ACCESS_TOKEN_TYPE, JWT_TOKEN_TYPE, type TokenExchangeParams } from './tokenExchangeParams.js';

export interface TokenExchangeDeps {
  provider: Provider;
  /** oidc-provider's request-scoped store: everything here runs in the token request's transaction. */
  store: Store;
  /** The policy engine in force and the JIT options (bound late: made after the provider). */
  jit: () => Pick<JitDeps, 'policy' | 'options'>;
  /** Device posture for policy, read through `store`. */
  devices: DeviceContextLookup;
  issue: GrantTokenIssuer;
  now: () => number;
  /** Lifetime asked for; authorizeIssuance caps it at the grant's end and one hour. */
  lifetimeSeconds: number;
}

type OAuthError = InstanceType<typeof errors.OIDCProviderError>;

const invalidRequest = (description: string): OAuthError => new errors.InvalidRequest(description);
// RFC 8693 §2.2.2: invalid_target when no token can be issued for the requested audience.
const invalidTarget = (description: string): OAuthError => new errors.InvalidTarget(description);

/** BrokerError from authorizeIssuance / callerOfSubjectToken → RFC 6749 §5.2 / RFC 8693 §2.2.2. */
function oauthErrorOf(error: BrokerError): OAuthError {
  switch (error.code) {
    case 'invalid_dpop_proof':
      return new errors.InvalidDpopProof(error.message);
    case 'forbidden':
    case 'policy_denied':
      return invalidTarget(error.message);
    default:
      // Bad subject token, unknown / foreign / ended grant id (RFC 8693 §2.2.2: invalid_request).
      return invalidRequest(error.message);
  }
}

/**
 * The token-exchange grant (RFC 8693) at the broker's token endpoint: a signed-in client trades its
 * DPoP-bound access token (subject_token) for a short JWT for one catalog Service (`audience` or
 * `resource`), issued under the caller's active grant that covers the service (or the `grant_id`
 * it names), after the policy in force allows `read` on it with the caller's full context.
 *
 * - The request must carry a DPoP proof (nonce, replay and iat checked by oidc-provider's own
 *   code) from the key the subject token is bound to: possession, not just the token, is needed.
 * - The issued token is DPoP-bound (`cnf.jkt`, token_type DPoP) when the service's catalog entry
 *   says `dpop: true`; otherwise it is a Bearer token (RFC 9449 §5 lets the server issue unbound
 *   tokens, signalled by token_type), for tools that cannot make proofs (git, kubectl).
 * - Every issue is in the ledger (revoked when the grant ends: the denylist) and audited in the
 *   same transaction; every refusal is audited with its reason.
 */
export function tokenExchangeHandler(deps: TokenExchangeDeps): (ctx: KoaContextWithOIDC) => Promise<void> {
  const { provider, store } = deps;
  return async (ctx) => {
    const now = deps.now();
    const params = ctx.oidc.params as TokenExchangeParams;
    const clientId = ctx.oidc.client?.clientId ?? '';
    const requested = params.audience ?? params.resource;
    let caller: ApiCaller | undefined;

    const refuse = async (error: OAuthError, kind?: string): Promise<never> => {
      await store.appendAudit(
        authorizeSessionEvent('other', {
          name: 'credential.issue',
          outcome: 'failure',
          actor: caller
            ? {
                kind: 'user',
                userId: caller.user.id,
                ...(caller.device ? { deviceId: caller.device.id } : {}),
              }
            : { kind: 'anonymous' },
          time: now,
          srcIp: ctx.ip,
          data: {
            kind: kind ?? 'service-token',
            grantType: 'token-exchange',
            clientId,
            audience: typeof requested === 'string' ? requested.slice(0, 200) : undefined,
            grantId: params.grant_id?.slice(0, 200),
            reason: error.error,
            detail: error.error_description,
          },
        }),
      );
      throw error;
    };

    // RFC 9449 §5: the proof of this request. `use_dpop_nonce` answers are the protocol's normal
    // first round trip and are not audited; a missing or bad proof is.
    let dPoP: Awaited<ReturnType<typeof validateDpop>>;
    try {
      dPoP = await validateDpop(provider, ctx);
    } catch (error) {
      if (error instanceof errors.UseDpopNonce || !(error instanceof errors.OIDCProviderError)) throw error;
      return refuse(error);
    }
    if (dPoP === undefined)
      return refuse(
        new errors.InvalidDpopProof(
          'a DPoP proof is required: the exchange proves possession of the subject token key',
        ),
      );
    try {
      await checkDpopReplay(provider, ctx, dPoP, clientId);
    } catch (error) {
      if (!(error instanceof errors.OIDCProviderError)) throw error;
      // RFC 9449 §11.1: single use; said plainly (oidc-provider's own answer is a bare invalid_grant).
      return refuse(new errors.InvalidDpopProof('the DPoP proof was already used (jti replay)'));
    }

    if (typeof params.subject_token !== 'string' || params.subject_token === '')
      return refuse(invalidRequest('subject_token is required'));
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE)
      return refuse(invalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`));
    if (params.actor_token !== undefined || params.actor_token_type !== undefined)
      return refuse(invalidRequest('delegation (actor_token) is not supported'));
    if (
      params.requested_token_type !== undefined &&
      params.requested_token_type !== ACCESS_TOKEN_TYPE &&
      params.requested_token_type !== JWT_TOKEN_TYPE
    )
      return refuse(invalidRequest(`requested_token_type must be ${ACCESS_TOKEN_TYPE}`));
    if (params.audience !== undefined && params.resource !== undefined)
      return refuse(invalidTarget('name the service with audience or resource, not both'));
    if (typeof requested !== 'string' || requested === '' || requested.length > 200)
      return refuse(invalidTarget('audience is required: the service the token is for'));
    if (params.grant_id !== undefined && (params.grant_id === '' || params.grant_id.length > 200))
      return refuse(invalidRequest('grant_id is malformed'));

    try {
      caller = await callerOfSubjectToken(provider, store, {
        token: params.subject_token,
        clientId,
        proofThumbprint: dPoP.thumbprint,
        srcIp: ctx.ip,
        now,
      });
    } catch (error) {
      if (error instanceof BrokerError) return refuse(oauthErrorOf(error));
      throw error;
    }

    const jit = deps.jit();
    const service = serviceForAudience(jit.policy.bundle, requested);
    if (service === undefined) return refuse(invalidTarget(`no service "${requested}" in the catalog`));

    let decision: Awaited<ReturnType<typeof authorizeIssuance>>;
    try {
      decision = await authorizeIssuance(
        { store, policy: jit.policy, devices: deps.devices, now: deps.now, options: jit.options },
        caller,
        {
          target: { type: 'Service', id: service.entity.id },
          action: 'read',
          ...(params.grant_id === undefined ? {} : { grantId: params.grant_id }),
          requestedSeconds: deps.lifetimeSeconds,
        },
      );
      // `store` is this request's transaction: the re-read locks the rows (PostgreSQL) so a lock or
      // grant end cannot commit between this decision and the ledger write below.
      await confirmIssuanceInTx(store, caller, decision, deps.now());
    } catch (error) {
      if (error instanceof BrokerError) return refuse(oauthErrorOf(error), service.kind);
      throw error;
    }

    const issued = await deps.issue({
      subject: caller.user.id,
      audience: service.audience,
      grantIds: [decision.grant.id],
      clientId,
      issuedAt: decision.issuedAt,
      expiresAt: decision.expiresAt,
      ...(service.dpop ? { jkt: dPoP.thumbprint } : {}),
    });
    await store.recordIssuedCredential({
      id: issued.jti,
      kind: service.kind,
      userId: caller.user.id,
      deviceId: decision.deviceId,
      grantId: decision.grant.id,
      audience: service.audience,
      serial: null,
      issuedAt: issued.issuedAt,
      expiresAt: issued.expiresAt,
    });
    await store.appendAudit(
      authorizeSessionEvent('assignPrivileges', {
        name: 'credential.issue',
        outcome: 'success',
        actor: { kind: 'user', userId: caller.user.id, deviceId: decision.deviceId },
        time: now,
        srcIp: ctx.ip,
        data: {
          kind: service.kind,
          credentialId: issued.jti,
          grantType: 'token-exchange',
          clientId,
          service: service.entity.id,
          audience: service.audience,
          grantId: decision.grant.id,
          dpopBound: service.dpop,
          expiresAt: issued.expiresAt,
          bundleHash: decision.bundleHash,
        },
      }),
    );
    // RFC 8693 §2.2.1, plus the grant id and expiry time so clients can tag and expire their caches.
    ctx.body = {
      access_token: issued.token,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: service.dpop ? 'DPoP' : 'Bearer',
      expires_in: Math.max(1, Math.floor((issued.expiresAt - now) / 1000)),
      audience: service.audience,
      grant_id: decision.grant.id,
    };
  };
}
