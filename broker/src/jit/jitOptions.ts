import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { BrokerError } from '../errors/BrokerError.js';

const cidr = z.string().refine((s) => parseCidr(s) !== undefined, 'a CIDR block such as 10.0.0.0/8');

/**
 * Settings of JIT elevation. The schema is the type, the defaults and the docs (CONVENTIONS.md,
 * Config). Eligibility, durations and approver counts are the policy bundle's, not these.
 */
export const jitOptionsSchema = z.strictObject({
  /** An approved grant must be activated within this many minutes, or it lapses unused. */
  activationWindowMinutes: z
    .number()
    .int()
    .min(1)
    .max(7 * 24 * 60)
    .default(60),
  /** A pending request that nobody decided is void after this. */
  pendingRequestTtlMinutes: z
    .number()
    .int()
    .min(5)
    .max(14 * 24 * 60)
    .default(24 * 60),
  /** An approval challenge (bound to one request and one approver) is single use and lives this long. */
  approvalChallengeTtlSeconds: z.number().int().min(30).max(900).default(300),
  /** Source networks policy sees as `context.network.trusted`. */
  trustedNetworks: z.array(cidr).default(['127.0.0.0/8', '::1/128']),
  /** How often the sweeper looks at stored times for expiring/ended grants and stale requests. */
  sweepIntervalSeconds: z.number().int().min(1).max(300).default(15),
  /**
   * Approver notifications (Slack-compatible JSON, HMAC-SHA256 signed: deliverWebhook.ts). HTTPS,
   * or plain HTTP to a loopback address only (the message names people and targets).
   */
  webhooks: z
    .array(
      z.strictObject({
        url: z.url().refine((u) => {
          const url = new URL(u);
          return url.protocol === 'https:' || ['127.0.0.1', '[::1]', 'localhost'].includes(url.hostname);
        }, 'https, or http to a loopback address'),
        secret: z.string().min(32).max(512),
      }),
    )
    .default([]),
  webhookAttempts: z.number().int().min(1).max(10).default(4),
  webhookBackoffMs: z.number().int().min(1).max(60_000).default(500),
});

export type JitOptionsInput = z.input<typeof jitOptionsSchema>;
export type JitOptions = Readonly<z.output<typeof jitOptionsSchema>> & { readonly trusted: BlockList };

export function parseJitOptions(input: JitOptionsInput | undefined = {}): JitOptions {
  const parsed = jitOptionsSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`);
    throw new BrokerError('invalid_config', `invalid JIT options: ${problems.join('; ')}`, { expose: true });
  }
  const trusted = new BlockList();
  for (const block of parsed.data.trustedNetworks) {
    const [address, prefix, family] = parseCidr(block) as [string, number, 'ipv4' | 'ipv6'];
    trusted.addSubnet(address, prefix, family);
  }
  return Object.freeze({ ...parsed.data, trusted });
}

function parseCidr(block: string): [string, number, 'ipv4' | 'ipv6'] | undefined {
  const [address = '', bits = ''] = block.split('/');
  const version = isIP(address);
  const prefix = Number(bits);
  if (version === 0 || !/^\d{1,3}$/.test(bits) || prefix > (version === 4 ? 32 : 128)) return undefined;
  return [address, prefix, version === 4 ? 'ipv4' : 'ipv6'];
}
