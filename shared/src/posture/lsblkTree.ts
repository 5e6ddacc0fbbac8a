import { z } from 'zod';
import { parseJson } from './parseJson.js';

export interface LsblkNode {
  readonly name: string;
  readonly type: string;
  readonly fstype?: string | null | undefined;
  readonly mountpoints?: readonly (string | null)[] | undefined;
  readonly mountpoint?: string | null | undefined;
  readonly children?: readonly LsblkNode[] | undefined;
}

const lsblkNodeSchema: z.ZodType<LsblkNode> = z.lazy(() =>
  z.object({
    name: z.string(),
    type: z.string(),
    fstype: z.string().nullish(),
    mountpoints: z.array(z.string().nullable()).optional(),
    mountpoint: z.string().nullish(),
    children: z.array(lsblkNodeSchema).optional(),
  }),
);

const lsblkSchema = z.object({ blockdevices: z.array(lsblkNodeSchema) });

/** One place a device appears in `lsblk -J`'s tree, with the chain of devices it sits on (nearest first). */
export interface LsblkPlacement {
  readonly node: LsblkNode;
  readonly ancestors: readonly LsblkNode[];
}

/**
 * Flattens `lsblk -J` (a tree: disk → part → crypt → lvm …) into every placement of every device.
 * A device built on several parents (an LVM volume group over two disks, RAID) appears once under
 * each, and each of those chains is a way its data reaches a disk.
 */
export function parseLsblkTree(stdout: string): LsblkPlacement[] | undefined {
  const parsed = parseJson(lsblkSchema, stdout);
  if (!parsed) return undefined;
  const placements: LsblkPlacement[] = [];
  const visit = (node: LsblkNode, ancestors: readonly LsblkNode[]): void => {
    placements.push({ node, ancestors });
    for (const child of node.children ?? []) visit(child, [node, ...ancestors]);
  };
  for (const root of parsed.blockdevices) visit(root, []);
  return placements;
}

export function mountpointsOf(node: LsblkNode): string[] {
  const all = [...(node.mountpoints ?? []), node.mountpoint ?? null];
  return all.filter((mountpoint): mountpoint is string => typeof mountpoint === 'string');
}
