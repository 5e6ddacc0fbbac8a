import type { Socket } from 'node:net';
import { createLinuxPeerLookup } from './peerCredentials.linux.js';

/** Every real and effective uid of the processes holding the peer end, and their pids. */
export interface PeerCredentials {
  readonly uids: readonly number[];
  readonly pids: readonly number[];
}

/** undefined: the platform could not say who the peer is. */
export type PeerLookup = (socket: Socket) => Promise<PeerCredentials | undefined>;

/**
 * The peer check for a platform. Linux: the kernel's socket table (peerCredentials.linux.ts);
 * an unverifiable peer is refused. macOS and the BSDs have LOCAL_PEERCRED/getpeereid, which Node
 * does not expose: there the agent relies on the socket being 0600 in a 0700 directory of ours,
 * and says so (`verified: false`). Windows named pipes: the pipe's default ACL (code path only).
 */
export function peerLookupFor(platform: NodeJS.Platform): {
  lookup: PeerLookup | undefined;
  required: boolean;
} {
  return platform === 'linux'
    ? { lookup: createLinuxPeerLookup(), required: true }
    : { lookup: undefined, required: false };
}
