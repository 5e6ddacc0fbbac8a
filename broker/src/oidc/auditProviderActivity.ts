import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { AuditEventInput } from '../audit/AuditEvent.js';
import type { Store } from '../store/Store.js';
import { TOKEN_EXCHANGE_GRANT } from '../credentials/tokenExchangeParams.js';
import { tokenFingerprint } from './tokenFingerprint.js';

type ProviderMiddleware = Parameters<Provider['use']>[0];

interface TokenEntityView {
  grantId?: string | undefined;
  accountId?: string | undefined;
  consumed?: unknown;
  sessionUid?: string | undefined;
  jkt?: string | undefined;
}

function entity(ctx: KoaContextWithOIDC, name: string): TokenEntityView | undefined {
  return ctx.oidc.entities[name] as TokenEntityView | undefined;
}

function fingerprintOf(body: unknown): string | undefined {
  return typeof body === 'object' &&
    body !== null &&
    'access_token' in body &&
    typeof body.access_token === 'string'
    ? tokenFingerprint(body.access_token)
    : undefined;
}

function errorCode(body: unknown): string | undefined {
  return typeof body === 'object' && body !== null && 'error' in body && typeof body.error === 'string'
    ? body.error
    : undefined;
}

/**
 * Audits the token and revocation endpoints (OCSF API Activity 6003: 1 Create = issue, 3 Update =
 * refresh, 4 Delete = revoke). Runs inside the request's store transaction (requestTransaction),
 * after oidc-provider has answered but before the response is written: the record commits with
 * the tokens, and if it cannot be written nothing commits and the client gets `server_error`.
 * Every response a client receives with tokens therefore has its audit record.
 *
 * Refresh token reuse (RFC 9700 §4.14.2): oidc-provider already revoked the grant; we also end the
 * browser session so no silent re-authorization follows, and record it at high severity.
 */
export function auditProviderActivity(store: Store, now: () => number): ProviderMiddleware {
  return async (ctx, next) => {
    await next();
    const oidc = (ctx as KoaContextWithOIDC).oidc as KoaContextWithOIDC['oidc'] | undefined;
    if (!oidc || (oidc.route !== 'token' && oidc.route !== 'revocation')) return;
    const octx = ctx as KoaContextWithOIDC;
    const clientId = oidc.client?.clientId;
    const grantType = typeof oidc.params?.['grant_type'] === 'string' ? oidc.params['grant_type'] : undefined;
    // Token exchange audits its issues and refusals itself, with the service and grant (exchangeToken.ts).
    if (grantType === TOKEN_EXCHANGE_GRANT) return;
    const refresh = entity(octx, 'RefreshToken');
    const code = entity(octx, 'AuthorizationCode');
    const grantId =
      refresh?.grantId ?? code?.grantId ?? (oidc.entities.Grant as { jti?: string } | undefined)?.jti;
    const accountId = oidc.entities.Account?.accountId ?? refresh?.accountId ?? code?.accountId;
    const ok = ctx.status >= 200 && ctx.status < 300;
    const base = {
      classUid: 6003 as const,
      actor: accountId ? { kind: 'user' as const, userId: accountId } : { kind: 'anonymous' as const },
      time: now(),
      srcIp: ctx.ip,
    };

    if (oidc.route === 'revocation') {
      if (ok)
        await store.appendAudit({
          ...base,
          activityId: 4,
          activity: 'token.revoke',
          statusId: 1,
          data: { clientId },
        });
      return;
    }

    const activity = grantType === 'refresh_token' ? 'token.refresh' : 'token.issue';
    if (ok) {
      const event: AuditEventInput = {
        ...base,
        activityId: grantType === 'refresh_token' ? 3 : 1,
        activity,
        statusId: 1,
        data: {
          clientId,
          grantId,
          grantType,
          dpopJkt: refresh?.jkt,
          accessTokenFingerprint: fingerprintOf(ctx.body),
        },
      };
      // Inside the request's transaction (requestTransaction): if this throws, the new tokens roll
      // back with it and the client gets server_error.
      await store.appendAudit(event);
      return;
    }

    // Failures tied to a real grant (code or refresh token found) are security signals; anonymous
    // garbage is not recorded, so it cannot flood the log.
    if (!refresh && !code) return;
    const reuse = Boolean(refresh?.consumed) || Boolean(code?.consumed);
    if (reuse && refresh?.sessionUid) {
      const session = await oidc.provider.Session.findByUid(refresh.sessionUid);
      await session?.destroy();
    }
    await store.appendAudit({
      ...base,
      activityId: grantType === 'refresh_token' ? 3 : 1,
      activity: reuse ? `${activity}.reuse` : activity,
      statusId: 2,
      severityId: reuse ? 4 : 2,
      data: { clientId, grantId, grantType, error: errorCode(ctx.body), grantRevoked: reuse },
    });
  };
}
