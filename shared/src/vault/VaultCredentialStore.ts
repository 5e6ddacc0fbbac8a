import { StrongroomError } from '../errors/StrongroomError.js';
import type { CredentialStore } from './CredentialStore.js';
import type { SecretBackend } from './SecretBackend.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const INDEX = '.index';

interface Envelope {
  v: string;
  exp: number | null;
}

function checkName(kind: 'profile' | 'credential', name: string): void {
  if (!NAME.test(name)) {
    throw new StrongroomError('usage', `Invalid ${kind} name "${name.slice(0, 64)}".`, {
      hint: 'Use letters, digits, ".", "_" or "-" (at most 64 characters).',
    });
  }
}

function decode(raw: string): Envelope | undefined {
  try {
    const parsed: unknown = JSON.parse(raw);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    const { v, exp } = parsed as Record<string, unknown>;
    if (typeof v !== 'string') return undefined;
    if (exp !== null && typeof exp !== 'number') return undefined;
    return { v, exp };
  } catch {
    return undefined;
  }
}

/**
 * Expiry and per-profile index on top of any `SecretBackend`. Accounts are `<profile>/<name>`;
 * the index `<profile>/.index` lists names so sign-out deletes everything without enumerating
 * the keychain. The index is written before the value so a crash never leaves an unindexed secret.
 */
export class VaultCredentialStore implements CredentialStore {
  readonly kind: 'keychain' | 'memory';
  readonly #backend: SecretBackend;
  readonly #now: () => number;

  constructor(backend: SecretBackend, now: () => number = Date.now) {
    this.#backend = backend;
    this.kind = backend.kind;
    this.#now = now;
  }

  async get(profile: string, name: string): Promise<string | undefined> {
    checkName('profile', profile);
    checkName('credential', name);
    const raw = await this.#backend.read(`${profile}/${name}`);
    if (raw === undefined) return undefined;
    const envelope = decode(raw);
    if (envelope === undefined || (envelope.exp !== null && envelope.exp <= this.#now())) {
      // Expired or unreadable: delete it now rather than hand back stale material.
      await this.delete(profile, name);
      return undefined;
    }
    return envelope.v;
  }

  async set(profile: string, name: string, value: string, expiresAt: number | null): Promise<void> {
    checkName('profile', profile);
    checkName('credential', name);
    if (expiresAt !== null && !(Number.isFinite(expiresAt) && expiresAt > this.#now())) {
      throw new StrongroomError('internal', `Refusing to store "${name}": it is already expired.`);
    }
    const names = await this.list(profile);
    if (!names.includes(name)) await this.#writeIndex(profile, [...names, name]);
    const envelope: Envelope = { v: value, exp: expiresAt };
    await this.#backend.write(`${profile}/${name}`, JSON.stringify(envelope));
  }

  async delete(profile: string, name: string): Promise<void> {
    checkName('profile', profile);
    checkName('credential', name);
    await this.#backend.remove(`${profile}/${name}`);
    const names = await this.list(profile);
    if (names.includes(name))
      await this.#writeIndex(
        profile,
        names.filter((n) => n !== name),
      );
  }

  async list(profile: string): Promise<readonly string[]> {
    checkName('profile', profile);
    const raw = await this.#backend.read(`${profile}/${INDEX}`);
    if (raw === undefined) return [];
    try {
      const parsed: unknown = JSON.parse(raw);
      return Array.isArray(parsed)
        ? parsed.filter((n): n is string => typeof n === 'string' && NAME.test(n))
        : [];
    } catch {
      return [];
    }
  }

  async clearProfile(profile: string): Promise<void> {
    for (const name of await this.list(profile)) await this.#backend.remove(`${profile}/${name}`);
    await this.#backend.remove(`${profile}/${INDEX}`);
  }

  async sweep(profile: string): Promise<number> {
    let removed = 0;
    for (const name of await this.list(profile)) {
      const raw = await this.#backend.read(`${profile}/${name}`);
      const envelope = raw === undefined ? undefined : decode(raw);
      if (envelope === undefined || (envelope.exp !== null && envelope.exp <= this.#now())) {
        await this.delete(profile, name);
        removed += 1;
      }
    }
    return removed;
  }

  async #writeIndex(profile: string, names: readonly string[]): Promise<void> {
    if (names.length === 0) await this.#backend.remove(`${profile}/${INDEX}`);
    else await this.#backend.write(`${profile}/${INDEX}`, JSON.stringify(names));
  }
}
