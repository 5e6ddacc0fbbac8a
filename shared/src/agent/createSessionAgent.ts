import type { BrokerClient } from '../broker-client/createBrokerClient.js';
import { loadDeviceKey } from '../device/loadDeviceKey.js';
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
    deviceKey: () => loadDeviceKey(deps.vault, deps.profile.name),
  });
}
