import { z } from 'zod';
import { principalInputSchema, resourceInputSchema } from './policyTestFileSchema.js';

/**
 * One authorization question (the body of `POST /api/v1/authorize` minus who is asking). The
 * context is checked against the bundle's schema for the action, not here: its shape is the
 * bundle's to define.
 */
export const authorizationRequestSchema = z.strictObject({
  principal: principalInputSchema,
  action: z.string().min(1),
  resource: resourceInputSchema,
  context: z.record(z.string(), z.unknown()),
});

export type AuthorizationRequest = z.input<typeof authorizationRequestSchema>;
