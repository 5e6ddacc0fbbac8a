import { readdirSync, readlinkSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { alertMessage } from '../alerts/alertMessage.js';
import { enqueueWebhookMessage, WebhookOutbox } from '../alerts/WebhookOutbox.js';
import { jitWorld, type JitWorld, type Person } from '../jit/jitWorld.test-support.js';
import { compilePolicyBundle } from '../policy/compilePolicyBundle.js';
import { defaultPolicyBundleDir } from '../policy/defaultPolicyBundleDir.js';
import { readBundleDirectory } from '../policy/readBundleDirectory.js';
import { SQLITE_FILE_NAME } from '../store/SqliteStore.js';
import { signInToPages, type AdminBrowser } from './adminSession.test-support.js';

/** The section of a page with `data-testid="id"`, up to its end. */
const section = (html: string, id: string): string => {
  const at = html.indexOf(`data-testid="${id}"`);
  expect(at, id).toBeGreaterThanOrEqual(0);
  return html.slice(at, html.indexOf('</section>', at));
};

/**
 * The SQLite file this process's broker has open (the test broker's data directory is private):
 * what someone holding the database host would edit.
 */
function openBrokerDatabaseBehindItsBack(): Database.Database {
  const files = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.endsWith(`/${SQLITE_FILE_NAME}`)) files.add(target);
    } catch {
      // closed meanwhile
    }
  }
  expect([...files]).toHaveLength(1);
  return new Database([...files][0] as string);
}

describe('admin pages: dead letters, a broken audit chain, a failing policy test', () => {
  let w: JitWorld;
  let ada: Person;
  let bob: Person;
  let admin: AdminBrowser;

  beforeEach(async () => {
    w = await jitWorld();
    ada = await w.person('ada', ['admin']);
    bob = await w.person('bob', ['data-stewards']);
    admin = await signInToPages(w, ada);
  });
  afterEach(async () => w.close());

  describe('a webhook that never gets through', () => {
    let receiver: Server;
    let outbox: WebhookOutbox | undefined;
    let received = 0;
    beforeEach(async () => {
      received = 0;
      receiver = createServer((req, res) => {
        req.resume();
        req.on('end', () => {
          received += 1;
          res.statusCode = 503;
          res.end();
        });
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    });
    afterEach(async () => {
      await outbox?.close();
      await new Promise((resolve) => receiver.close(resolve));
    });

    it('becomes a dead letter admins see on the alerts page and through the API; others are refused', async () => {
      const { store, clock } = w.broker;
      const origin = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
      const target = { url: `${origin}/services/T0/B0/SECRETPATH`, secret: 's'.repeat(40) };
      const o = new WebhookOutbox({
        store,
        now: () => clock.now,
        fetch,
        targets: [target],
        attempts: 2,
        backoffMs: 1000,
        pollMs: 3_600_000, // the test kicks it
      });
      outbox = o;
      const message = alertMessage({
        id: 'a-dead',
        detector: 'break-glass',
        severity: 'high',
        action: 'alert',
        userId: 'bob',
        userEmail: 'bob@example.test',
        deviceId: null,
        summary: 'break-glass: Role gpu-breakglass self-activated',
        lockId: null,
        lockSkipped: null,
        data: {},
      });
      await store.transaction((tx) => enqueueWebhookMessage(tx, [target], message, clock.now, null));
      const pass = async () => {
        o.kick();
        await o.idle();
      };
      await pass();
      expect(received).toBe(1);
      expect(await store.listWebhookDeliveries({ status: 'dead', limit: 10 })).toEqual([]);
      clock.now += 1000; // the backoff before the second (last) attempt
      await pass();
      expect(received).toBe(2);
      const [dead] = await store.listWebhookDeliveries({ status: 'dead', limit: 10 });
      expect(dead).toMatchObject({ attempts: 2, lastStatus: 503 });

      // The page: under its heading, the receiver's origin only (the URL's path is a secret).
      const page = await admin.get('/admin/alerts');
      expect(page.status).toBe(200);
      const letters = section(page.body, 'dead-letters');
      expect(letters).toContain('<h2>Webhook dead letters</h2>');
      expect(letters).toContain(origin);
      expect(letters).toContain('HTTP 503');
      expect(letters).toContain(message.event);
      expect(page.body).not.toContain('SECRETPATH');
      expect(letters).not.toContain('Every alert webhook was delivered.');

      // The API: an admin gets it; a non-admin is refused, and the refusal is audited.
      const api = await w.call(ada, 'GET', '/api/v1/admin/dead-letters');
      expect(api.status).toBe(200);
      expect(api.body['deliveries']).toEqual([
        expect.objectContaining({ id: dead?.id, destination: origin, status: 'dead', attempts: 2 }),
      ]);
      expect(JSON.stringify(api.body)).not.toContain('SECRETPATH');
      const head = (await store.auditHead()).seq;
      const refused = await w.call(bob, 'GET', '/api/v1/admin/dead-letters');
      expect(refused.status).toBe(403);
      expect(JSON.stringify(refused.body)).not.toContain(origin);
      const [audited] = await store.readAudit(head + 1, 10);
      expect(audited).toMatchObject({
        activity: 'admin.api',
        statusId: 2,
        actor: { userId: 'bob' },
        data: { path: '/api/v1/admin/dead-letters', reason: 'not_admin' },
      });
      // And the page is the admin's only, as every admin page.
      expect((await (await signInToPages(w, bob)).get('/admin/alerts')).status).toBe(403);
    });
  });

  it('shows a broken audit chain as FAILED, naming the first edited record', async () => {
    const { store } = w.broker;
    for (let i = 0; i < 3; i++) await signInToPages(w, bob); // a few more records (logins)
    expect((await admin.post('/admin/audit/verify', { csrf: admin.csrf })).status).toBe(303);
    expect(section((await admin.get('/admin/audit')).body, 'chain-state')).toMatch(/class="ok"/);
    const head = (await store.auditHead()).seq;
    expect(head).toBeGreaterThanOrEqual(4);
    const victim = 3;
    const [before] = await store.readAudit(victim, 1);
    // Someone with the database file drops the append-only guard and edits one record.
    const db = openBrokerDatabaseBehindItsBack();
    try {
      db.exec('DROP TRIGGER audit_log_no_update');
      const changed = db
        .prepare(
          'UPDATE audit_log SET body = replace(body, \'"statusId":1\', \'"statusId":2\') WHERE seq = ?',
        )
        .run(victim);
      expect(changed.changes).toBe(1);
    } finally {
      db.close();
    }
    const [after] = await store.readAudit(victim, 1);
    expect(after?.statusId).not.toBe(before?.statusId);

    expect((await admin.post('/admin/audit/verify', { csrf: admin.csrf })).status).toBe(303);
    const page = await admin.get('/admin/audit');
    expect(page.status).toBe(200);
    const state = section(page.body, 'chain-state');
    expect(state).toContain('class="bad"');
    expect(state).toContain('Chain verification FAILED');
    expect(state).toContain(`edited at record ${victim}:`);
    expect(state).not.toContain('Chain verified');
    // The explorer itself still works (the records are listed; it is the chain that failed).
    expect(page.body).toContain(`<td>${head}</td>`);
  });

  it('shows a failing bundle test as FAIL; the dashboard and the policy page stay usable', async () => {
    const { jit } = w.broker;
    const files = new Map(await readBundleDirectory(defaultPolicyBundleDir()));
    const tiers = JSON.parse(files.get('tests/tiers.json') ?? '{}') as {
      cases: Array<{ name: string; expect: { decision: string; determiningPolicies?: string[] } }>;
    };
    const [first] = tiers.cases;
    expect(first?.expect.decision).toBe('allow');
    const wrong = {
      ...first,
      name: 'a test that expects the wrong decision',
      expect: { decision: 'deny' },
    };
    files.set('tests/zz-wrong.json', JSON.stringify({ ...tiers, cases: [wrong] }));
    const compiled = compilePolicyBundle(files);
    if (!compiled.ok) throw new Error(compiled.errors.join('\n'));
    expect(jit.policy.swap(compiled.bundle).swapped).toBe(true);

    const page = await admin.get('/admin/policy');
    expect(page.status).toBe(200);
    expect(page.body).toContain(compiled.bundle.hash);
    const summary = /data-testid="test-summary" class="bad">(\d+) of (\d+) passed/.exec(page.body);
    expect(summary, 'a bad summary').not.toBeNull();
    expect(Number(summary?.[1])).toBe(Number(summary?.[2]) - 1);
    const tests = section(page.body, 'policy-tests');
    const row = tests.slice(tests.indexOf('a test that expects the wrong decision'));
    expect(row.slice(0, row.indexOf('</tr>'))).toMatch(/<strong>FAIL<\/strong>.*expected deny, got allow/s);
    expect(tests.match(/<strong>FAIL<\/strong>/g)).toHaveLength(1);

    // Everything else still works under this bundle: the dashboard, the other pages, a form.
    expect((await admin.get('/admin')).status).toBe(200);
    expect((await admin.get('/admin/users')).status).toBe(200);
    expect((await admin.get('/admin/policy')).status).toBe(200);
    expect((await admin.post('/admin/audit/verify', { csrf: admin.csrf })).status).toBe(303);
  });
});
