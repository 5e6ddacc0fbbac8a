import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import type { AuthorizationRequest } from './authorizationRequestSchema.js';
import { defaultPolicyBundleDir } from './defaultPolicyBundleDir.js';
import { loadPolicyBundle } from './loadPolicyBundle.js';
import { makePolicyContext } from './makePolicyContext.js';
import { makeBundleDir } from './makeBundleDir.js';
import type { PolicyBundle } from './PolicyBundle.js';
import { runPolicyTests } from './runPolicyTests.js';
import { deepMerge } from './runPolicyTests.js';
import { targetTermsOf } from './targetTermsOf.js';

const healthyContext = makePolicyContext();

function makeRequest(
  overrides: Partial<AuthorizationRequest> & { contextChanges?: Record<string, unknown> } = {},
): AuthorizationRequest {
  const { contextChanges, ...rest } = overrides;
  return {
    principal: { id: 'alice', groups: ['ml-engineers'] },
    action: 'read',
    resource: { type: 'Dataset', id: 'customer-pii' },
    context: deepMerge(healthyContext, contextChanges ?? {}),
    ...rest,
  };
}

/** Loads a copy of the default bundle with `changes`, hands it to `use`, then frees and removes it. */
async function withBundle(changes: Record<string, string>, use: (b: PolicyBundle) => void): Promise<void> {
  const { dir, cleanup } = await makeBundleDir(changes);
  const b = await loadPolicyBundle(dir);
  try {
    use(b);
  } finally {
    b.release();
    await cleanup();
  }
}

let bundle: PolicyBundle;
beforeAll(async () => {
  bundle = await loadPolicyBundle(defaultPolicyBundleDir());
});
afterAll(() => bundle.release());

describe('PolicyBundle.authorize with the default bundle', () => {
  it("passes the bundle's own policy tests", () => {
    const results = runPolicyTests(bundle);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(20);
  });

  it('records the bundle hash in every decision, allow and deny', () => {
    const allow = bundle.authorize(makeRequest({ resource: { type: 'Dataset', id: 'public-benchmarks' } }));
    const deny = bundle.authorize(makeRequest());
    expect(allow.decision).toBe('allow');
    expect(deny.decision).toBe('deny');
    expect(allow.bundleHash).toBe(bundle.hash);
    expect(deny.bundleHash).toBe(bundle.hash);
  });

  it("sees a change of the principal's roles and groups at the next decision (nothing about the principal is cached)", () => {
    const internal = { type: 'Model', id: 'llama-ft-internal' };
    const as = (principal: AuthorizationRequest['principal']) =>
      bundle.authorize(makeRequest({ principal, resource: internal })).decision;
    expect(as({ id: 'zed' })).toBe('deny');
    expect(as({ id: 'zed', roles: ['ml-researcher'] })).toBe('allow');
    expect(as({ id: 'zed' })).toBe('deny');
    expect(as({ id: 'zed', groups: ['ml-engineers'] })).toBe('allow');
    expect(as({ id: 'zed', groups: [] })).toBe('deny');
  });

  it('public: any signed-in user', () => {
    const d = bundle.authorize(
      makeRequest({
        principal: { id: 'nobody' },
        resource: { type: 'Dataset', id: 'public-benchmarks' },
        contextChanges: { device: { enrolled: false } },
      }),
    );
    expect(d).toMatchObject({ decision: 'allow', determiningPolicies: ['public-any-user'], reasons: [] });
  });

  it('internal: role members on a passing, enrolled device; each failed check is named', () => {
    expect(
      bundle.authorize(makeRequest({ resource: { type: 'Pipeline', id: 'finetune-nightly' } })).decision,
    ).toBe('allow');
    const d = bundle.authorize(
      makeRequest({
        resource: { type: 'Pipeline', id: 'finetune-nightly' },
        contextChanges: { device: { checks: { firewall: 'fail', screenLock: 'fail' } } },
      }),
    );
    expect(d.decision).toBe('deny');
    expect(d.reasons).toEqual(
      expect.arrayContaining(['device posture: firewall failed', 'device posture: screen lock failed']),
    );
    expect([...d.determiningPolicies].sort()).toEqual(['posture-firewall', 'posture-screen-lock']);
  });

  it('restricted: only through an active grant of one of the asset roles', () => {
    const none = bundle.authorize(makeRequest());
    expect(none.decision).toBe('deny');
    expect(none.determiningPolicies).toEqual([]);
    expect(none.reasons).toEqual([
      'needs an active grant for role restricted-data-reader (or for Dataset::"customer-pii" itself)',
    ]);
    const wrongRole = bundle.authorize(
      makeRequest({ contextChanges: { grants: { roles: ['gpu-breakglass'] } } }),
    );
    expect(wrongRole.decision).toBe('deny');
    const wrongAsset = bundle.authorize(
      makeRequest({ contextChanges: { grants: { assets: ['Dataset::public-benchmarks'] } } }),
    );
    expect(wrongAsset.decision).toBe('deny');
    const granted = bundle.authorize(
      makeRequest({ contextChanges: { grants: { roles: ['restricted-data-reader'] } } }),
    );
    expect(granted).toMatchObject({ decision: 'allow', determiningPolicies: ['restricted-active-grant'] });
  });

  it('restricted: a grant is not enough without a fresh key, a fully passing device, a fresh attestation and a trusted network', () => {
    const granted = { grants: { roles: ['restricted-data-reader'] } };
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ mfa: { ageSeconds: 901 } }, 'hardware key touched more than 15 minutes ago'],
      [{ mfa: { method: 'otp' } }, 'restricted access needs a hardware security key sign-in'],
      [
        { device: { checks: { endpointProtection: 'unknown' } } },
        'device posture: restricted assets need every check passing',
      ],
      [{ device: { attestationAgeSeconds: 600 } }, 'device attestation is more than 10 minutes old'],
      [{ network: { trusted: false } }, 'restricted access only from a trusted network'],
    ];
    for (const [change, reason] of cases) {
      const d = bundle.authorize(makeRequest({ contextChanges: deepMerge(granted, change) }));
      expect(d.decision, reason).toBe('deny');
      expect(d.reasons.join(' | '), reason).toContain(reason);
    }
    expect(
      bundle.authorize(
        makeRequest({
          contextChanges: deepMerge(granted, {
            mfa: { ageSeconds: 900 },
            device: { attestationAgeSeconds: 599 },
          }),
        }),
      ).decision,
    ).toBe('allow');
  });

  it('says when nothing allows the action at all, or the action does not apply', () => {
    expect(
      bundle.authorize(
        makeRequest({ action: 'delete', resource: { type: 'Dataset', id: 'public-benchmarks' } }),
      ).reasons,
    ).toEqual(['no policy allows delete on Dataset::"public-benchmarks"']);
    expect(bundle.authorize(makeRequest({ action: 'ssh' })).reasons[0]).toContain(
      'action ssh does not apply to Dataset',
    );
    expect(bundle.authorize(makeRequest({ action: 'fly' })).reasons).toEqual(['unknown action "fly"']);
  });
});

describe('PolicyBundle.authorize refuses what would let a caller talk its way in', () => {
  it('a caller cannot describe a catalog asset (e.g. call customer-pii public)', () => {
    const attempt = () =>
      bundle.authorize(
        makeRequest({ resource: { type: 'Dataset', id: 'customer-pii', attrs: { tier: 'public' } } }),
      );
    expect(attempt).toThrow(BrokerError);
    expect(attempt).toThrow(/only for entities outside the catalog/);
  });

  it('a caller cannot invent an asset outside the catalog', () => {
    const d = bundle.authorize(
      makeRequest({
        resource: {
          type: 'Dataset',
          id: 'made-up',
          attrs: { tier: 'public', labels: [], owners: [], roles: [], ref: 'Dataset::made-up' },
        },
      }),
    );
    expect(d.decision).toBe('deny');
    expect(d.reasons[0]).toContain('is not in the policy bundle');
  });

  it('a role named as a group does not confer the role', () => {
    const asGroup = makeRequest({
      principal: { id: 'mallory', groups: ['data-stewards'] },
      action: 'approve',
      resource: { type: 'Role', id: 'restricted-data-reader' },
    });
    expect(bundle.authorize(asGroup).decision).toBe('deny');
  });

  it('rejects a context that does not match the schema, listing every problem', () => {
    const bad = makeRequest();
    const context = structuredClone(bad.context) as Record<string, Record<string, unknown>> & {
      extra?: boolean;
    };
    context.extra = true;
    (context.mfa as { ageSeconds: unknown }).ageSeconds = '30';
    (context.network as { sourceIp: string }).sourceIp = '10.0.0.999';
    delete (context.device as { compliant?: boolean }).compliant;
    let error: unknown;
    try {
      bundle.authorize({ ...bad, context });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BrokerError);
    expect((error as BrokerError).code).toBe('invalid_request');
    const message = (error as BrokerError).message;
    for (const part of [
      'context.extra: not in the schema',
      'context.mfa.ageSeconds: expected an integer',
      'context.network.sourceIp: not an IP address',
      'context.device.compliant: required',
    ]) {
      expect(message).toContain(part);
    }
  });

  it('never prunes or rewrites by guard for a resource outside the catalog (its attributes come with the request)', async () => {
    const device =
      '@id("linux-admins")\npermit (principal, action == Action::"administer", resource is Device)\nwhen { resource has platform && resource.platform == "linux" }\nwhen { principal in Role::"team-leads" };\n';
    await withBundle({ 'policies/device.cedar': device }, (b) => {
      const ask = (platform: string) =>
        b.authorize(
          makeRequest({
            principal: { id: 'tl', roles: ['team-leads'] },
            action: 'administer',
            resource: { type: 'Device', id: 'laptop-1', attrs: { platform } },
          }),
        );
      // Same resource key, different attributes each time: every decision reads them afresh.
      expect(ask('linux')).toMatchObject({ decision: 'allow', determiningPolicies: ['linux-admins'] });
      expect(ask('macos').decision).toBe('deny');
      expect(ask('linux').decision).toBe('allow');
    });
  });

  it('a forbid that cannot be evaluated denies (fail closed) instead of being skipped', async () => {
    const overflow =
      '@id("overflowing-forbid")\n@reason("never shown")\nforbid (principal, action == Action::"read", resource)\nwhen { context.mfa.ageSeconds * 9223372036854775807 > 1 };\n';
    await withBundle({ 'policies/overflow.cedar': overflow }, (b) => {
      const publicRead = makeRequest({ resource: { type: 'Dataset', id: 'public-benchmarks' } });
      const d = b.authorize(publicRead);
      expect(d.decision).toBe('deny');
      expect(d.determiningPolicies).toEqual(['overflowing-forbid']);
      expect(d.reasons.join(' ')).toContain('could not be evaluated');
      expect(d.errors[0]).toMatch(/^overflowing-forbid: .*overflow/);
      expect(
        b.authorize({ ...publicRead, context: deepMerge(healthyContext, { mfa: { ageSeconds: 0 } }) })
          .decision,
      ).toBe('allow');
    });
  });
});

describe('targetTermsOf', () => {
  it('reads duration, approvals and break-glass from the catalog with the defaults', () => {
    expect(targetTermsOf(bundle, { type: 'Role', id: 'restricted-data-reader' })).toEqual({
      tier: 'restricted',
      emergency: false,
      maxDurationMinutes: 120,
      approvalsRequired: 2,
    });
    expect(targetTermsOf(bundle, { type: 'Role', id: 'ml-researcher' })).toMatchObject({
      approvalsRequired: 1,
      maxDurationMinutes: 480,
    });
    expect(targetTermsOf(bundle, { type: 'Role', id: 'gpu-breakglass' })).toMatchObject({
      emergency: true,
      maxDurationMinutes: 30,
      approvalsRequired: 0,
    });
    expect(targetTermsOf(bundle, { type: 'Dataset', id: 'customer-pii' })).toMatchObject({
      approvalsRequired: 2,
      maxDurationMinutes: 60,
    });
    expect(targetTermsOf(bundle, { type: 'Role', id: 'nope' })).toBeUndefined();
  });
});
