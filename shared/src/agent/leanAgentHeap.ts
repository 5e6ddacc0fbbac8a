import { setFlagsFromString } from 'node:v8';

/**
 * The agent runs for days and is idle nearly all the time (issue 8: idle resident memory under
 * 80 MB). Two V8 heuristics suit a short-lived command but leave an idle daemon holding memory it
 * used once at start-up; both flags are read when the work happens, so setting them here, before
 * the agent's modules load (cli bin/strongroom.ts; the command sets them again, a no-op then; the
 * tray's main process at its start), works:
 *
 * - `--semi-space-growth-factor=1`: the young generation keeps its initial 1 MB semi-spaces
 *   instead of growing to 8 MB each under start-up's allocation burst (module loading, schemas, the
 *   first posture run and syncs) and keeping those pages resident. Scavenges of the agent's small
 *   live set stay far under a millisecond.
 * - `--liftoff-only`: fetch's HTTP parser (undici's llhttp, WebAssembly) stays on V8's baseline
 *   compiler; the optimizing tier compiles it on worker threads whose ~30 MB of compiler memory
 *   stays in their malloc arenas (up to 9 MB resident afterwards). The agent's broker traffic is a
 *   few small requests a minute and one event stream.
 *
 * agentBench: socket p99 and CLI ratios unchanged, resident memory and start-up peak lower. Only
 * the agent's own processes (`strongroom agent`, the tray's main process): never the extension host,
 * whose runtime VS Code owns and shares with other extensions.
 */
export function leanAgentHeap(): void {
  setFlagsFromString('--semi-space-growth-factor=1');
  setFlagsFromString('--liftoff-only');
}
