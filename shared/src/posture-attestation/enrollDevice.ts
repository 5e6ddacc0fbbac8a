import type { BrokerClient } from '../broker-client/createBrokerClient.js';
import type { DeviceKey } from '../device/DeviceKey.js';
import { StrongroomError } from '../errors/StrongroomError.js';
import {
  deviceEnrollmentResponseSchema,
  type DeviceEnrollmentResponse,
  type PlatformFacts,
} from '../protocol/deviceApi.js';

/**
 * Enrolls this device with the broker (`POST /api/v1/devices`): the public half of the device key
 * (the broker checks it is the key of this request's DPoP proof), its protection and the platform
 * facts. Idempotent: an already enrolled key answers `existing`.
 */
export async function enrollDevice(
  client: BrokerClient,
  key: DeviceKey,
  platform: PlatformFacts,
): Promise<DeviceEnrollmentResponse> {
  const response = await client.request('POST', '/api/v1/devices', {
    publicJwk: key.publicJwk,
    keyProtection: key.protection,
    platform,
  });
  const parsed = deviceEnrollmentResponseSchema.safeParse(await response.json());
  if (!parsed.success)
    throw new StrongroomError(
      'broker_error',
      'The broker answered the device enrollment with something unexpected.',
      {
        cause: parsed.error,
      },
    );
  return parsed.data;
}
