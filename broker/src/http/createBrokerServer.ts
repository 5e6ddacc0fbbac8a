import { readFileSync } from 'node:fs';
import Fastify, { type FastifyInstance } from 'fastify';
import type Provider from 'oidc-provider';
import type { AdapterConstructor, AdapterFactory } from 'oidc-provider';
import { registerApi } from '../api/registerApi.js';
import type { BrokerConfig } from '../config/brokerConfigSchema.js';
import { loadSecrets } from '../keys/loadSecrets.js';
import { loadSigningKeys } from '../keys/loadSigningKeys.js';
import { loggedRequest } from './loggedRequest.js';
import { createProvider } from '../oidc/createProvider.js';
import type { Store } from '../store/Store.js';
import { makeChallengeStore } from '../webauthn/challengeStore.js';
import { relyingPartyFor } from '../webauthn/relyingParty.js';
import { registerAssetRoutes } from './assetRoutes.js';
import { registerRevokedCredentialsRoute } from '../credentials/registerRevokedCredentialsRoute.js';
import { registerEnrollmentRoutes } from './enrollmentRoutes.js';
import { registerErrorHandler } from './errorHandler.js';
import { registerInteractionRoutes } from './interactionRoutes.js';
import { mountProvider } from './mountProvider.js';
import { registerSecurityHeaders } from './securityHeaders.js';
import { sendPage } from './sendPage.js';
import { homePage } from '../pages/homePage.js';
import { BrokerError } from '../errors/BrokerError.js';
import type { JitDeps } from '../jit/JitDeps.js';
import { registerApprovalPageRoutes } from '../jit/registerApprovalPageRoutes.js';
import { registerJit, type RegisterJitOptions } from '../jit/registerJit.js';
import { grantTokenIssuer } from '../credentials/grantTokenIssuer.js';
import { registerAwsCredentialRoutes } from '../credentials/aws/registerAwsCredentialRoutes.js';
import { registerAdminPages } from '../admin/registerAdminPages.js';
import { loadSshCa } from '../ssh/loadSshCa.js';
import { registerSshCredentialRoutes, registerSshKrlRoute } from '../ssh/registerSshRoutes.js';
import type { AlertDeps } from '../alerts/AlertDeps.js';
import { registerAlerts, type AlertSettings } from '../alerts/registerAlerts.js';

export interface BrokerServerOptions {
  config: BrokerConfig;
  store: Store;
  /** Builds the oidc-provider adapter on the store it is given (broker/src/store/oidcAdapter.ts). */
  makeAdapter: (store: Store) => AdapterConstructor | AdapterFactory;
  now?: () => number;
  logger?: boolean;
  /** Policy engine or bundle directory (`--policy DIR`), JIT and event settings (jit/registerJit.ts). */
  jit?: Pick<RegisterJitOptions, 'policy' | 'policyDir' | 'jit' | 'events'>;
  /** Detector, webhook retry and polling settings (alerts/registerAlerts.ts). */
  alerts?: AlertSettings;
}

export interface BrokerServer {
  app: FastifyInstance;
  provider: Provider;
  /** The policy engine in force and the JIT workflow (reloadPolicy on SIGHUP, sweepJit in tests). */
  jit: JitDeps;
  /** Detectors, alerts, locks and the webhook outbox (issue 9). */
  alerts: AlertDeps;
}

/**
 * Assembles the broker's HTTP server: oidc-provider for the OpenID Provider endpoints, Fastify for
 * the broker's own pages and APIs. Bodies are capped at 64 KiB (every legitimate body is small).
 */
export async function createBrokerServer(opts: BrokerServerOptions): Promise<BrokerServer> {
  const { config, store } = opts;
  const now = opts.now ?? Date.now;
  const [jwks, secrets, sshCa] = await Promise.all([
    loadSigningKeys(store),
    loadSecrets(store),
    loadSshCa(store),
  ]);
  const provider = createProvider({
    config,
    store,
    makeAdapter: opts.makeAdapter,
    jwks,
    secrets,
    now,
    // Bound late: the policy engine starts with the JIT routes below.
    tokenExchange: { jit: () => jit },
  });
  const app = Fastify({
    logger: opts.logger
      ? {
          level: process.env['STRONGROOM_LOG_LEVEL'] ?? 'warn',
          serializers: { req: loggedRequest },
        }
      : false,
    bodyLimit: 64 * 1024,
    trustProxy: false,
    ...(config.tls
      ? { https: { cert: readFileSync(config.tls.certFile), key: readFileSync(config.tls.keyFile) } }
      : {}),
  });
  registerErrorHandler(app);
  registerSecurityHeaders(app);
  mountProvider(app, provider);
  const deps = {
    config,
    store,
    provider,
    rp: relyingPartyFor(config.issuer),
    challenges: makeChallengeStore(store, now),
    now,
  };
  await registerAssetRoutes(app);
  registerRevokedCredentialsRoute(app, { store, now });
  app.get('/', async (_request, reply) => sendPage(reply, homePage(config.issuer)));
  registerInteractionRoutes(app, deps);
  registerEnrollmentRoutes(app, deps);
  let jit: JitDeps | undefined;
  const registerJitRoutes = async (api: FastifyInstance): Promise<void> => {
    jit = await registerJit(api, {
      apiOptions: config.devices,
      ...opts.jit,
      store,
      issuer: config.issuer,
      now,
    });
  };
  const issueToken = grantTokenIssuer(jwks, config.issuer);
  // Registered after the JIT routes, so `jit` is set: issuance is decided on the JIT grants.
  const registerAwsRoutes = (api: FastifyInstance): void => {
    if (jit === undefined) throw new BrokerError('internal', 'the JIT routes were not registered');
    registerAwsCredentialRoutes(api, { jit, issueToken, audience: config.awsAudience });
  };
  const registerSshRoutes = (api: FastifyInstance): void => {
    if (jit === undefined) throw new BrokerError('internal', 'the JIT routes were not registered');
    registerSshCredentialRoutes(api, { jit, ca: sshCa });
  };
  let alerts: AlertDeps | undefined;
  const registerAlertRoutes = async (api: FastifyInstance): Promise<void> => {
    const running = jit;
    if (running === undefined) throw new BrokerError('internal', 'the JIT routes were not registered');
    alerts = await registerAlerts(api, {
      ...opts.alerts,
      store,
      rp: running.rp,
      now,
      bundle: () => running.policy.bundle,
      webhooks: running.options.webhooks,
      eventsCommitted: () => running.eventsCommitted(),
      log: (message) => app.log.warn(message),
    });
  };
  await registerApi(app, {
    store,
    provider,
    issuer: config.issuer,
    now,
    options: config.devices,
    routes: [registerJitRoutes, registerAwsRoutes, registerSshRoutes, registerAlertRoutes],
    // The hub is made with the JIT routes, after the posture routes: bind late.
    eventsCommitted: () => jit?.eventsCommitted(),
  });
  if (jit === undefined) throw new BrokerError('internal', 'the JIT routes were not registered');
  registerApprovalPageRoutes(app, jit, config.issuer.startsWith('https:'));
  // Public: hosts fetch it without credentials (see registerSshKrlRoute).
  registerSshKrlRoute(app, { store, ca: sshCa, now });
  await registerAdminPages(app, jit, { secureCookies: config.issuer.startsWith('https:') });
  if (alerts === undefined) throw new BrokerError('internal', 'the alert routes were not registered');
  return { app, provider, jit, alerts };
}
