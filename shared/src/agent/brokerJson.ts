import type { z } from 'zod';
import type { BrokerClient } from '../broker-client/createBrokerClient.js';
import { StrongroomError } from '../errors/StrongroomError.js';

/** One broker API call whose answer is checked against its wire contract (protocol/). */
export async function brokerJson<S extends z.ZodType>(
  broker: BrokerClient,
  method: 'GET' | 'POST',
  path: string,
  schema: S,
  body?: unknown,
): Promise<z.output<S>> {
  const response = await broker.request(method, path, body);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success)
    throw new StrongroomError(
      'broker_error',
      `The broker answered ${method} ${path} with something unexpected.`,
      {
        cause: parsed.error,
      },
    );
  return parsed.data;
}
