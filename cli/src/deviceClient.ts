import {
  createBrokerClient,
  type BrokerClient,
} from '@strongroom/shared/broker-client/createBrokerClient.js';
import type { DeviceKey } from '@strongroom/shared/device/DeviceKey.js';
import { loadDeviceKey } from '@strongroom/shared/device/loadDeviceKey.js';
import { loginWithBrowser } from '@strongroom/shared/oidc/loginWithBrowser.js';
import type { PostureHost } from '@strongroom/shared/posture/PostureHost.js';
import { collectPlatformFacts } from '@strongroom/shared/posture-attestation/collectPlatformFacts.js';
import { enrollDevice } from '@strongroom/shared/posture-attestation/enrollDevice.js';
import type { DeviceEnrollmentResponse } from '@strongroom/shared/protocol/deviceApi.js';
import type { CliContext } from './cliContext.js';
import { openSystemBrowser } from './openSystemBrowser.js';

export interface DeviceClient {
  readonly client: BrokerClient;
  readonly key: DeviceKey;
  /** Enrolls this device (idempotent: an enrolled key answers `existing`). */
  enroll(host: PostureHost): Promise<DeviceEnrollmentResponse>;
}

/**
 * The broker API client of a signed-in CLI, with this device's key. A step-up challenge re-runs the
 * browser sign-in (RFC 9470) and the call is retried once.
 */
export async function deviceClient(context: CliContext): Promise<DeviceClient> {
  const key = await loadDeviceKey(context.store, context.profile.name);
  const client = createBrokerClient({
    host: context.host,
    profile: context.profile,
    store: context.store,
    stepUp: (stepUp) =>
      loginWithBrowser({
        ...context,
        host: {
          ...context.host,
          openBrowser: async (url) => {
            await openSystemBrowser(url, process.env, process.platform);
          },
        },
        stepUp,
      }),
  });
  return {
    client,
    key,
    enroll: async (host) => enrollDevice(client, key, await collectPlatformFacts(host)),
  };
}
