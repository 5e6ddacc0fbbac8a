import { z } from 'zod';

const jsonRecord = z.record(z.string(), z.unknown());

/** The principal of a request: a user and the roles and groups the store says they are in. */
export const principalInputSchema = z.strictObject({
  id: z.string().min(1),
  roles: z.array(z.string().min(1)).default([]),
  groups: z.array(z.string().min(1)).default([]),
  /** User attributes, checked against the schema's User shape. */
  attrs: jsonRecord.default({}),
});

/** A resource: looked up in the catalog; `attrs` only for entities outside it (e.g. a Device). */
export const resourceInputSchema = z.strictObject({
  type: z.string().min(1),
  id: z.string().min(1),
  attrs: jsonRecord.optional(),
});

const testCase = z.strictObject({
  name: z.string().min(1),
  principal: principalInputSchema.optional(),
  action: z.string().min(1),
  resource: resourceInputSchema,
  /** Deep-merged over the file's `defaults.context`. */
  context: jsonRecord.default({}),
  expect: z.strictObject({
    decision: z.enum(['allow', 'deny']),
    /** Each must occur (as a substring) in one of the decision's reasons. */
    reasons: z.array(z.string().min(1)).optional(),
    /** Exactly these policies decided (order ignored). */
    determiningPolicies: z.array(z.string().min(1)).optional(),
  }),
});

/** `tests/*.json`: request → expected decision and reason. */
export const policyTestFileSchema = z.strictObject({
  description: z.string().optional(),
  defaults: z
    .strictObject({ principal: principalInputSchema.optional(), context: jsonRecord.default({}) })
    .prefault({}),
  cases: z.array(testCase).min(1),
});

export type PolicyTestFile = z.infer<typeof policyTestFileSchema>;
export type PolicyTestCase = z.infer<typeof testCase>;
