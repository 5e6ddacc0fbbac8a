import type { BrokerClient } from '../broker-client/createBrokerClient.js';
import type { AgentDeps } from './AgentDeps.js';
import { createAgent, type Agent } from './createAgent.js';

/**
 * The agent every host runs (the tray, the extension host, `strongroom agent`): createAgent talking
 * to the broker over the session's own DPoP-bound client, with the software device key kept in the
 * same vault under the profile's name.
 */
export function createSessionAgent(
  deps: Omit<AgentDeps, 'broker' | 'deviceKey'> & {
    /** The session's own client wrapped (the extension host holds its first call until its first state is drawn). */
    readonly broker?: BrokerClient;
  },
): Agent {
  return createAgent({
    ...deps,
    broker: deps.broker ?? deps.session.api,
    // Loaded on first use (the first attestation, after the first state): the device-key code (TPM,
    // JOSE, its stored-key schemas) is not on an agent's start path.
    deviceKey: async () =>
      (await import('../device/loadDeviceKey.js')).loadDeviceKey(deps.vault, deps.profile.name),
  });
}
