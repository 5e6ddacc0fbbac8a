import { setFlagsFromString } from 'node:v8';

/**
 * The agent runs for days and is idle nearly all the time (issue 8: idle resident memory under
 * 80 MB). V8 grows its young generation under start-up's allocation burst (module loading,
 * schemas, the first posture run and syncs) to 8 MB per semi-space, and those pages stay resident.
 * Growth is a per-scavenge heuristic read from this flag, so from here on the semi-spaces keep
 * their initial 1 MB; scavenges of the agent's small live set stay far under a millisecond
 * (agentBench: socket p99 unchanged, about 8 MB less resident). Only this process: the extension
 * host and the tray set their own heaps. Called before the agent's modules load (bin/strongroom.ts)
 * and again by the command (a no-op then), so the growth never starts.
 */
export function keepYoungGenerationSmall(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
}
