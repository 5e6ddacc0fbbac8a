import type { z } from 'zod';
import type { BrokerClient } from '../broker-client/createBrokerClient.js';
import type { DeviceKey } from '../device/DeviceKey.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import type { PostureReport } from '../posture/PostureReport.js';
import {
  postureNonceResponseSchema,
  postureVerdictSchema,
  type PostureVerdict,
} from '../protocol/deviceApi.js';
import { signPostureReport } from './signPostureReport.js';

export interface AttestPostureOptions {
  readonly client: BrokerClient;
  readonly key: DeviceKey;
  readonly report: PostureReport;
  readonly agentVersion: string;
  /** Epoch milliseconds (the host's clock). */
  readonly now: () => number;
}

async function parsed<T>(response: Response, schema: z.ZodType<T>, what: string): Promise<T> {
  const result = schema.safeParse(await response.json());
  if (!result.success)
    throw new StrongroomError('broker_error', `The broker answered the ${what} with something unexpected.`, {
      cause: result.error,
    });
  return result.data;
}

/**
 * Attestation (issue 4, step 3): fetch a single-use nonce for this device, sign {deviceId, nonce,
 * iat, platform, agentVersion, checks} with the device key, send it, and return the broker's
 * verdict. The checks are sent as `runPostureChecks` produced them.
 */
export async function attestPosture(options: AttestPostureOptions): Promise<PostureVerdict> {
  const { client, key, report } = options;
  const nonce = await parsed(
    await client.request('POST', '/api/v1/posture/nonce', {}),
    postureNonceResponseSchema,
    'posture nonce request',
  );
  const jws = await signPostureReport(key, {
    deviceId: nonce.deviceId,
    nonce: nonce.nonce,
    iat: Math.floor(options.now() / 1000),
    platform: report.platform,
    agentVersion: options.agentVersion,
    checks: report.checks,
  });
  return parsed(
    await client.request('POST', '/api/v1/posture', { report: jws }),
    postureVerdictSchema,
    'posture report',
  );
}
