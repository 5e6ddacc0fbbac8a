import { StrongroomError } from '../errors/StrongroomError.js';
import type { CredentialStore } from './CredentialStore.js';
import type { SecretBackend } from './SecretBackend.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

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
 * Expiry and per-profile names on top of any `SecretBackend`. Accounts are `<profile>/<name>`.
 * What a profile holds is read from the keychain's own search, not from an index of ours: the
 * agent and CLI commands write the same profile from different processes, and a read-modify-write
 * index loses names when two of them race, which would leave a secret behind at sign-out.
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
    const envelope: Envelope = { v: value, exp: expiresAt };
    await this.#backend.write(`${profile}/${name}`, JSON.stringify(envelope));
  }

  async delete(profile: string, name: string): Promise<void> {
    checkName('profile', profile);
    checkName('credential', name);
    await this.#backend.remove(`${profile}/${name}`);
  }

  async list(profile: string): Promise<readonly string[]> {
    checkName('profile', profile);
    const prefix = `${profile}/`;
    return (await this.#backend.accounts(prefix))
      .map((account) => account.slice(prefix.length))
      .filter((name) => NAME.test(name));
  }

  /** Deletes every account under the profile, names we would no longer accept included. */
  async clearProfile(profile: string): Promise<void> {
    checkName('profile', profile);
    for (const account of await this.#backend.accounts(`${profile}/`)) await this.#backend.remove(account);
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
}
