import type { NetworkInterfaceInfo } from 'node:os';
import type { AgentClock } from '@strongroom/shared/agent/AgentClock.js';

/** The machine's external addresses as one string: when it changes, the network changed. */
export function networkFingerprint(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string {
  return Object.entries(interfaces)
    .flatMap(([name, list]) =>
      (list ?? []).filter((i) => !i.internal).map((i) => `${name}/${i.family}/${i.address}`),
    )
    .sort()
    .join(',');
}

/**
 * Issue 8: posture is re-checked "on network change". Electron's main process has no event for it,
 * so the addresses are compared every `intervalMs` (a cheap syscall) and `onChange` runs when they
 * differ (joining Wi-Fi, VPN up or down, a new DHCP lease). Returns the stop function.
 */
export function watchNetwork(deps: {
  read: () => string;
  clock: AgentClock;
  onChange: () => void;
  intervalMs?: number;
}): () => void {
  let last = deps.read();
  let cancel: () => void = () => undefined;
  const tick = (): void => {
    const now = deps.read();
    if (now !== last) {
      last = now;
      deps.onChange();
    }
    cancel = deps.clock.after(deps.intervalMs ?? 15_000, tick);
  };
  cancel = deps.clock.after(deps.intervalMs ?? 15_000, tick);
  return () => cancel();
}
