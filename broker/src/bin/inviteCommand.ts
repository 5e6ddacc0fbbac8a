import type { BrokerConfigInput } from '../config/brokerConfigSchema.js';
import { loadBrokerConfig } from '../config/loadBrokerConfig.js';
import { createEnrollmentLink } from '../enrollment/createEnrollmentLink.js';
import { BrokerError } from '../errors/BrokerError.js';
import { openStore } from './openStore.js';

/**
 * `strongroom-broker invite <email> [--role R]`: prints a one-time enrollment link. Run by an
 * operator on the broker host, so the audit actor is the local admin.
 */
export async function inviteCommand(
  input: BrokerConfigInput,
  email: string,
  roles: string[],
  deps: { print: (line: string) => void; now: () => number },
): Promise<void> {
  const config = loadBrokerConfig(input);
  const store = await openStore(config);
  try {
    if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 254) {
      throw new BrokerError('invalid_request', `not an email address: ${email}`, { expose: true });
    }
    const known = new Set((await store.listRoles()).map((r) => r.name));
    const unknown = roles.filter((r) => !known.has(r));
    if (unknown.length > 0) {
      throw new BrokerError(
        'invalid_request',
        `unknown role(s): ${unknown.join(', ')}; known: ${[...known].join(', ') || 'none'}`,
      );
    }
    if (await store.getUserByEmail(email))
      throw new BrokerError('conflict', `a user with email ${email} already exists`);
    const link = await createEnrollmentLink(store, {
      issuer: config.issuer,
      email,
      roles,
      kind: 'invite',
      createdBy: { kind: 'admin' },
      ttlSeconds: config.enrollmentTtlSeconds,
      now: deps.now(),
    });
    deps.print(`Enrollment link for ${email} (one use, expires ${new Date(link.expiresAt).toISOString()}):`);
    deps.print(`  ${link.url}`);
  } finally {
    await store.close();
  }
}
