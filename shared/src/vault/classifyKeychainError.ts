import { StrongroomError } from '../errors/StrongroomError.js';
import { keychainHint } from './keychainHint.js';

/**
 * Maps a `@napi-rs/keyring` failure to our error. The binding exposes only `GenericFailure`
 * codes, so the text is the one discriminator it gives us; this is the single place we read it.
 * Anything not recognised as "locked" is reported as "unavailable": both refuse, neither falls back.
 */
export function classifyKeychainError(error: unknown, platform: NodeJS.Platform): StrongroomError {
  const text = error instanceof Error ? error.message : String(error);
  const locked = /prompt was dismissed|locked|user interaction is not allowed|interaction not allowed/i.test(
    text,
  );
  return locked
    ? new StrongroomError(
        'keychain_locked',
        'The OS keychain is locked, so Strongroom cannot read or store credentials.',
        {
          cause: error,
          hint: keychainHint(platform, 'locked'),
        },
      )
    : new StrongroomError(
        'keychain_unavailable',
        'No usable OS keychain was found, so Strongroom will not store credentials.',
        {
          cause: error,
          hint: keychainHint(platform, 'unavailable'),
        },
      );
}
