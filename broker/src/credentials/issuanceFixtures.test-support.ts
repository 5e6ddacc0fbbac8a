import { randomUUID } from 'node:crypto';
import type { ApiCaller } from '../api/auth/ApiCaller.js';
import type { JitWorld, Person } from '../jit/jitWorld.test-support.js';
import { makeAccessRequest, makeGrant } from '../store/jitStoreConformance.js';

const MIN = 60_000;

/**
 * A grant stored as approved and active since `at` (default now) for `minutes`; the approval flow
 * itself is tested in jitRoutes.test.ts. Returns the grant id.
 */
export async function storedActiveGrant(
  w: JitWorld,
  p: Person,
  target: { type: string; id: string },
  minutes: number,
  opts: { tier?: 'internal' | 'restricted'; at?: number } = {},
): Promise<string> {
  const at = opts.at ?? w.broker.clock.now;
  const request = makeAccessRequest(p.user.id, { target, status: 'approved', createdAt: at });
  await w.broker.store.createAccessRequest(request);
  const grant = makeGrant(request, {
    id: randomUUID(),
    status: 'active',
    tier: opts.tier ?? 'internal',
    activatedAt: at,
    expiresAt: at + minutes * MIN,
    activateBy: at + 60 * MIN,
  });
  await w.broker.store.createGrant(grant);
  return grant.id;
}

/** The person as an authenticated API caller from their enrolled device (as authenticateApiRequest makes it). */
export async function issuanceCaller(w: JitWorld, p: Person): Promise<ApiCaller> {
  const device = await w.broker.store.getDevice(p.deviceId);
  return {
    user: p.user,
    thumbprint: p.key.thumbprint,
    clientId: 'strongroom-cli',
    grantId: 'oidc-grant',
    scopes: new Set(['openid']),
    srcIp: '127.0.0.1',
    ...(device === undefined ? {} : { device }),
  };
}
