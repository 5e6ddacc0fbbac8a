import type { AdapterConstructor, AdapterFactory } from 'oidc-provider';
import { AuditCheckpointer } from '../audit/AuditCheckpointer.js';
import { loadAuditSigner } from '../audit/AuditSigner.js';
import type { BrokerConfigInput } from '../config/brokerConfigSchema.js';
import { loadBrokerConfig } from '../config/loadBrokerConfig.js';
import { seedDemo } from '../demo/seedDemo.js';
import { ensureAdminEnrollment } from '../enrollment/ensureAdminEnrollment.js';
import { createBrokerServer } from '../http/createBrokerServer.js';
import { reloadPolicy } from '../authz/reloadPolicy.js';
import type { Store } from '../store/Store.js';
import { openStore } from './openStore.js';

export interface ServeDeps {
  makeAdapter: (store: Store) => AdapterConstructor | AdapterFactory;
  print: (line: string) => void;
  now: () => number;
}

/**
 * `strongroom-broker serve`: parse the config once, open the store, seed the demo if asked, print
 * the admin enrollment link on first start, listen, and close cleanly on SIGINT/SIGTERM.
 */
export async function serveCommand(input: BrokerConfigInput, deps: ServeDeps): Promise<void> {
  const config = loadBrokerConfig(input);
  const store = await openStore(config);
  if (config.demo && (await seedDemo(store, deps.now())))
    deps.print('Demo roles and example assets created.');
  const { app, jit } = await createBrokerServer({
    config,
    store,
    makeAdapter: deps.makeAdapter,
    now: deps.now,
    logger: true,
    ...(config.policyDir === undefined ? {} : { jit: { policyDir: config.policyDir } }),
  });
  await app.listen({ host: config.host, port: config.port });
  // Signed checkpoints every N records or T seconds (ARCHITECTURE.md, "Events, audit, alerts").
  const checkpointer = new AuditCheckpointer(store, await loadAuditSigner(store), { now: deps.now });
  checkpointer.start();
  const sweep = setInterval(() => void store.sweepExpired(deps.now()).catch(() => undefined), 60_000);
  sweep.unref();

  deps.print(`Strongroom broker listening on ${config.host}:${config.port}`);
  deps.print(`Issuer: ${config.issuer}`);
  deps.print(`Discovery: ${config.issuer}/.well-known/openid-configuration`);
  const link = await ensureAdminEnrollment(store, {
    issuer: config.issuer,
    adminEmail: config.adminEmail,
    ttlSeconds: config.enrollmentTtlSeconds,
    now: deps.now(),
  });
  if (link) {
    deps.print(`Admin enrollment link (one use, expires ${new Date(link.expiresAt).toISOString()}):`);
    deps.print(`  ${link.url}`);
  }
  deps.print('Ready.');

  const stop = async () => {
    clearInterval(sweep);
    await app.close();
    await checkpointer.stop().catch(() => undefined);
    await store.close();
    process.exit(0);
  };
  // SIGHUP: re-read the policy bundle; an invalid one is refused (and audited), the old stays.
  process.on('SIGHUP', () => {
    void reloadPolicy(jit, { kind: 'broker' })
      .then((r) =>
        deps.print(
          r.swapped
            ? `Policy bundle reloaded: ${r.previousHash} -> ${r.hash}`
            : `Policy bundle refused, ${r.hash} stays in force:\n  ${r.errors.join('\n  ')}`,
        ),
      )
      .catch((error: unknown) => deps.print(`Policy reload failed: ${String(error)}`));
  });
  deps.print(`Policy bundle: ${jit.policy.bundle.manifest.name} (${jit.policy.bundleHash})`);
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}
