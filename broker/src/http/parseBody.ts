import type { z } from 'zod';
import { BrokerError } from '../errors/BrokerError.js';

/**
 * Validates a request body at the boundary. The error names the offending fields, never their
 * values (which may be secrets).
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues
    .slice(0, 5)
    .map(
      (i) => `${i.path.join('.') || 'body'}: ${i.code === 'unrecognized_keys' ? 'unknown field' : i.code}`,
    );
  throw new BrokerError('invalid_request', `invalid request body (${problems.join('; ')})`);
}
