import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEnrollmentLink } from '../enrollment/createEnrollmentLink.js';
import { hashEnrollmentToken } from '../enrollment/enrollmentToken.js';
import { inProcessBroker, type InProcessBroker } from './inProcessBroker.test-support.js';

const csrf = 'f'.repeat(43);

/** JSON bodies: arbitrary values, and objects shaped almost like the real ones (to get past CSRF). */
const jsonBody = fc.oneof(
  fc.jsonValue(),
  fc.record({ csrf: fc.constant(csrf), response: fc.jsonValue() }),
  fc.record(
    {
      csrf: fc.constant(csrf),
      response: fc.record(
        {
          id: fc.string({ maxLength: 60 }),
          rawId: fc.string({ maxLength: 60 }),
          type: fc.constantFrom('public-key', 'x'),
          clientExtensionResults: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue(), { maxKeys: 3 }),
          response: fc.dictionary(
            fc.constantFrom(
              'clientDataJSON',
              'authenticatorData',
              'signature',
              'attestationObject',
              'userHandle',
              'extra',
            ),
            fc.oneof(
              fc.base64String({ maxLength: 200 }).map((s) => s.replace(/[+/=]/g, '_')),
              fc.jsonValue(),
            ),
          ),
        },
        { requiredKeys: ['id', 'response'] },
      ),
      extra: fc.jsonValue(),
    },
    { requiredKeys: ['csrf', 'response'] },
  ),
);
const rawBody = fc.oneof(
  jsonBody.map((v) => JSON.stringify(v) ?? 'null'),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
);
const formBody = fc
  .dictionary(
    fc.constantFrom(
      'grant_type',
      'code',
      'refresh_token',
      'client_id',
      'redirect_uri',
      'code_verifier',
      'token',
      'scope',
      'x',
    ),
    fc.string({ maxLength: 80 }),
  )
  .map((d) => new URLSearchParams(d).toString());

function expectOAuthError(res: { statusCode: number; body: string }) {
  expect(res.statusCode).toBeGreaterThanOrEqual(400);
  expect(res.statusCode).toBeLessThan(500);
  const body = JSON.parse(res.body) as Record<string, unknown>;
  expect(typeof body['error']).toBe('string');
  expect(typeof body['error_description']).toBe('string');
}

// Property: whatever the body, the broker answers {error, error_description} with a 4xx and no
// user, key or enrollment changes (failed attempts may only add failure records to the audit log).
describe('request parsers under fuzzing', () => {
  let broker: InProcessBroker;
  let enrollPath: string;
  let tokenHash: string;

  beforeAll(async () => {
    broker = await inProcessBroker();
    const { url } = await createEnrollmentLink(broker.store, {
      issuer: broker.issuer,
      email: 'fuzz@example.com',
      roles: [],
      kind: 'invite',
      createdBy: { kind: 'admin' },
      ttlSeconds: 3600,
      now: broker.clock.now,
    });
    enrollPath = new URL(url).pathname;
    tokenHash = hashEnrollmentToken(enrollPath.split('/').pop() ?? '');
  });
  afterAll(async () => broker?.close());

  async function state() {
    return {
      users: await broker.store.listUsers(),
      enrollment: await broker.store.getEnrollment(tokenHash),
    };
  }

  async function auditFailuresOnlySince(seq: number) {
    const added = await broker.store.readAudit(seq + 1, 10_000);
    expect(added.every((r) => r.statusId === 2)).toBe(true);
  }

  it('JSON routes: interaction and enrollment ceremonies', async () => {
    const before = await state();
    const head = await broker.store.auditHead();
    const paths = [
      '/interaction/nope/options',
      '/interaction/nope/login',
      `${enrollPath}/options`,
      `${enrollPath}/register`,
    ];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), rawBody, fc.boolean(), async (url, payload, withCookie) => {
        const res = await broker.app.inject({
          method: 'POST',
          url,
          headers: {
            'content-type': 'application/json',
            ...(withCookie ? { cookie: `sr_csrf=${csrf}` } : {}),
          },
          payload,
        });
        // /options on a valid link legitimately answers 200 with a challenge; nothing else may.
        if (res.statusCode === 200) {
          expect(url).toBe(`${enrollPath}/options`);
          return;
        }
        expectOAuthError(res);
      }),
      { numRuns: 300 },
    );
    expect(await state()).toEqual(before);
    await auditFailuresOnlySince(head.seq);
  });

  it('unknown paths and methods under the provider answer OAuth-style JSON too', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH'),
        fc.constantFrom('/token', '/token/revocation', '/jwks', '/session/end', '/.well-known', '/request'),
        fc.webSegment(),
        async (method, prefix, segment) => {
          const res = await broker.app.inject({ method, url: `${prefix}/${segment}x` });
          expectOAuthError(res);
        },
      ),
      { numRuns: 50 },
    );
  });

  it('oidc-provider token and revocation endpoints', async () => {
    const before = await state();
    const head = await broker.store.auditHead();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('/token', '/token/revocation'), formBody, async (url, payload) => {
        const res = await broker.app.inject({
          method: 'POST',
          url,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload,
        });
        expectOAuthError(res);
      }),
      { numRuns: 200 },
    );
    expect(await state()).toEqual(before);
    expect(await broker.store.auditHead()).toEqual(head);
  });
});
