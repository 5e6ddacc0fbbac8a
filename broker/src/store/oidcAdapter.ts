import { createHash } from 'node:crypto';
import type { Adapter, AdapterConstructor, AdapterPayload } from 'oidc-provider';
import type { OidcPayloadRecord } from './records.js';
import type { Store } from './Store.js';

export interface OidcAdapterOptions {
  /** The broker's clock in milliseconds (injected so expiry is testable). */
  now?: () => number;
}

/**
 * The oidc-provider storage adapter (oidc-provider docs, "Adapter") on top of a Store: one class
 * per provider, one instance per model name (`Session`, `AccessToken`, `RefreshToken`, …).
 * Records live in the shared store so every broker instance sees every session and token, and
 * revoking a grant removes what was issued under it on all of them.
 */
/**
 * Models whose id is itself a bearer secret (the token or code a client presents). They are stored
 * under SHA-256 of the id and without the `jti` copy in the payload, so a copy of the database or a
 * backup holds no usable token; `find(id)` hashes the presented value and puts `jti` back. Models
 * that oidc-provider also looks up by `uid` (Session) keep their id, since the lookup needs it.
 */
const bearerModels: ReadonlySet<string> = new Set([
  'AccessToken',
  'RefreshToken',
  'AuthorizationCode',
  'ClientCredentials',
  'BackchannelAuthenticationRequest',
  'RegistrationAccessToken',
  'InitialAccessToken',
]);

/** The stored key of a bearer-model record: base64url SHA-256 of the token value. */
export function storedTokenKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url');
}

export function oidcAdapter(store: Store, options: OidcAdapterOptions = {}): AdapterConstructor {
  const now = options.now ?? Date.now;

  /** What the provider gets back: the payload, marked `consumed` (seconds) once used; never expired records. */
  const present = (record: OidcPayloadRecord | undefined): AdapterPayload | undefined => {
    if (!record) return undefined;
    if (record.expiresAt !== null && record.expiresAt <= now()) return undefined;
    const payload = record.payload as AdapterPayload;
    return record.consumedAt === null
      ? payload
      : { ...payload, consumed: Math.floor(record.consumedAt / 1000) };
  };

  return class StoreAdapter implements Adapter {
    readonly #model: string;
    readonly #hashed: boolean;

    constructor(name: string) {
      this.#model = name;
      this.#hashed = bearerModels.has(name);
    }

    #key(id: string): string {
      return this.#hashed ? storedTokenKey(id) : id;
    }

    async upsert(id: string, payload: AdapterPayload, expiresIn?: number): Promise<void> {
      const stored: Record<string, unknown> = { ...payload };
      if (this.#hashed) delete stored['jti'];
      await store.oidcUpsert({
        model: this.#model,
        id: this.#key(id),
        payload: stored,
        // `expiresIn` is in seconds (oidc-provider); a record without it lives until destroyed.
        expiresAt: expiresIn === undefined ? null : now() + expiresIn * 1000,
        grantId: payload.grantId ?? null,
        userCode: payload.userCode ?? null,
        uid: payload.uid ?? null,
        consumedAt: null,
      });
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      const found = present(await store.oidcFind(this.#model, this.#key(id)));
      return found && this.#hashed ? { ...found, jti: id } : found;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return present(await store.oidcFindByUserCode(this.#model, userCode));
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return present(await store.oidcFindByUid(this.#model, uid));
    }

    async consume(id: string): Promise<void> {
      await store.oidcConsume(this.#model, this.#key(id), now());
    }

    async destroy(id: string): Promise<void> {
      await store.oidcDestroy(this.#model, this.#key(id));
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.oidcRevokeByGrantId(grantId);
    }
  };
}
