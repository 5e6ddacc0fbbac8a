import { z } from 'zod';
import { parseJson } from './parseJson.js';

const chainSchema = z.object({
  family: z.string(),
  table: z.string(),
  name: z.string(),
  hook: z.string().optional(),
  policy: z.string().optional(),
});
const ruleSchema = z.object({
  family: z.string(),
  table: z.string(),
  chain: z.string(),
  expr: z.array(z.unknown()),
});
const rulesetSchema = z.object({
  nftables: z.array(z.object({ chain: chainSchema.optional(), rule: ruleSchema.optional() })),
});

type Rule = z.output<typeof ruleSchema>;

function verdictsIn(value: unknown, found: Set<string>, targets: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) verdictsIn(item, found, targets);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === 'drop' || key === 'reject' || key === 'match') found.add(key);
      if (
        (key === 'jump' || key === 'goto') &&
        inner !== null &&
        typeof inner === 'object' &&
        'target' in inner
      ) {
        targets.push(String(inner.target));
      }
      verdictsIn(inner, found, targets);
    }
  }
}

export interface NftVerdict {
  /** Base chains on the input hook that refuse by default, e.g. `inet filter input (policy drop)`. */
  readonly defaultDeny: readonly string[];
  readonly inputChains: number;
}

/**
 * Reads `nft -j list ruleset` (the kernel's own view, which ufw, firewalld and iptables-nft all
 * write to). Inbound traffic is filtered when an input-hook base chain has policy drop, or a chain
 * reachable from it ends in an unconditional drop/reject (firewalld's final `reject`). Rules that
 * drop only some packets (invalid state, one port) do not make a firewall.
 */
export function readNftRuleset(stdout: string): NftVerdict | undefined {
  if (stdout.trim() === '') return { defaultDeny: [], inputChains: 0 };
  const ruleset = parseJson(rulesetSchema, stdout);
  if (!ruleset) return undefined;
  const key = (family: string, table: string, chain: string) => `${family} ${table} ${chain}`;
  const rules = new Map<string, Rule[]>();
  for (const { rule } of ruleset.nftables) {
    if (!rule) continue;
    const chainKey = key(rule.family, rule.table, rule.chain);
    rules.set(chainKey, [...(rules.get(chainKey) ?? []), rule]);
  }
  const inputChains = ruleset.nftables.flatMap(({ chain }) =>
    chain?.hook === 'input' && ['ip', 'ip6', 'inet'].includes(chain.family) ? [chain] : [],
  );
  const defaultDeny: string[] = [];
  for (const base of inputChains) {
    const baseKey = key(base.family, base.table, base.name);
    if (base.policy === 'drop') {
      defaultDeny.push(`${baseKey} (policy drop)`);
      continue;
    }
    const seen = new Set<string>();
    const queue = [base.name];
    for (let chain = queue.shift(); chain !== undefined; chain = queue.shift()) {
      const chainKey = key(base.family, base.table, chain);
      if (seen.has(chainKey)) continue;
      seen.add(chainKey);
      for (const rule of rules.get(chainKey) ?? []) {
        const found = new Set<string>();
        const targets: string[] = [];
        verdictsIn(rule.expr, found, targets);
        queue.push(...targets);
        if (!found.has('match') && (found.has('drop') || found.has('reject'))) {
          defaultDeny.push(`${baseKey} (ends in ${found.has('drop') ? 'drop' : 'reject'} in ${chain})`);
        }
      }
    }
  }
  return { defaultDeny, inputChains: inputChains.length };
}
