import { describe, expect, it } from 'vitest';
import { unlockSchema } from './adminApi.js';
import { agentAccessRequestParamsSchema, agentMethods, agentStatusResultSchema } from './agentApi.js';
import { approveRequestSchema, createAccessRequestSchema, webauthnAssertionSchema } from './jitApi.js';

// The composite wire schemas are z.lazy (built on their first parse). These pin that a lazy schema
// keeps what the eager one enforced: strictness at every level, optional parameters, and the
// strictness of schemas derived with .unwrap().extend()/.omit().
const assertion = {
  id: 'cred',
  rawId: 'cred',
  type: 'public-key',
  response: { clientDataJSON: 'a', authenticatorData: 'b', signature: 'c' },
  clientExtensionResults: {},
};

describe('lazy wire schemas', () => {
  it('a key touch: an unknown field is refused at the top and inside the assertion', () => {
    expect(approveRequestSchema.safeParse({ assertion }).success).toBe(true);
    expect(approveRequestSchema.safeParse({ assertion, extra: 1 }).success).toBe(false);
    expect(approveRequestSchema.safeParse({ assertion: { ...assertion, extra: 1 } }).success).toBe(false);
    expect(webauthnAssertionSchema.safeParse({ ...assertion, type: 'other' }).success).toBe(false);
  });

  it('unlock (extended from approve): needs a reason, refuses unknown fields', () => {
    expect(unlockSchema.safeParse({ assertion, reason: 'verified by phone with the user' }).success).toBe(
      true,
    );
    expect(unlockSchema.safeParse({ assertion }).success).toBe(false);
    expect(unlockSchema.safeParse({ assertion, reason: 'verified by phone', extra: 1 }).success).toBe(false);
  });

  it('agent params: optional params accept nothing, unknown fields are refused; requests.create has no dryRun', () => {
    expect(agentMethods.posture.params.safeParse(undefined).success).toBe(true);
    expect(agentMethods.posture.params.safeParse({ refresh: true }).success).toBe(true);
    expect(agentMethods.posture.params.safeParse({ refresh: true, extra: 1 }).success).toBe(false);
    expect(agentMethods.trigger.params.safeParse({ reason: 'reboot' }).success).toBe(false);
    const request = {
      target: { type: 'Role', id: 'ml-researcher' },
      durationMinutes: 60,
      reason: 'training run',
    };
    expect(createAccessRequestSchema.safeParse({ ...request, dryRun: true }).success).toBe(true);
    expect(agentAccessRequestParamsSchema.safeParse(request).success).toBe(true);
    expect(agentAccessRequestParamsSchema.safeParse({ ...request, dryRun: true }).success).toBe(false);
  });

  it('status result (extended from the state): strict, with its added fields required', () => {
    const result = agentStatusResultSchema.safeParse({});
    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.')) ?? [];
    expect(paths).toEqual(expect.arrayContaining(['now', 'agent']));
  });
});
