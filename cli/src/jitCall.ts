import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import type { z } from 'zod';
import { cliContext, noBrowser, type CliContext, type GlobalOptions } from './cliContext.js';
import { deviceClient } from './deviceClient.js';

/**
 * One JIT API call from the CLI: DPoP-bound with this device's key (deviceClient), the answer
 * checked against its wire contract (shared/src/protocol/jitApi.ts). A 403 from the broker is a
 * `denied` error carrying the broker's reasons (exit 4).
 */
export async function jitCall<S extends z.ZodType>(
  global: GlobalOptions,
  method: 'GET' | 'POST',
  path: string,
  schema: S,
  body?: unknown,
): Promise<{ data: z.infer<S>; context: CliContext }> {
  const context = await cliContext(global, noBrowser);
  const { client } = await deviceClient(context);
  const response = await client.request(method, path, body);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success)
    throw new StrongroomError(
      'broker_error',
      `The broker answered ${method} ${path} with something unexpected.`,
      {
        cause: parsed.error,
      },
    );
  return { data: parsed.data, context };
}

/** Moved to shared/ (the extension's request form uses it too); re-exported for the commands. */
export { parseDuration } from '@strongroom/shared/access/parseDuration.js';

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}
