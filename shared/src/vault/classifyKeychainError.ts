import { StrongroomError } from '../errors/StrongroomError.js';
import { keychainHint } from './keychainHint.js';

/**
 * Maps a `@napi-rs/keyring` failure to our error. The binding exposes only `GenericFailure`
 * codes, so the text is the one discriminator it gives us; this is the single place we read it.
 * Anything not recognised as "locked" is reported as "unavailable": both refuse, neither falls back.
 * "locked" is a whole word: libdbus's reply-timeout text ("… security policy blocked the reply …")
 * once read as a locked keyring.
 */
/**
 * Why a keychain call failed although the keychain itself is fine, so the same call may simply be
 * made again (get, set of the same value, delete-if-present and search are all idempotent):
 *
 * - `item_changed`: another process deleted or replaced the item between the binding's search and
 *   its call on the item (the Secret Service names items by D-Bus object path). A fresh attempt
 *   searches again and sees the item's new state. Seen from the entry calls ("Platform failure:
 *   DBus error: No such interface “org.freedesktop.Secret.Item” …", "… Object does not exist at
 *   path …") and from the search, which reads each found item's properties ("zbus fdo error: …
 *   No such interface “org.freedesktop.DBus.Properties” on object at path /org/…/collection/login/7").
 * - `no_reply`: the Secret Service daemon is there but did not answer in time. The binding gives
 *   each entry call 2 s; gnome-keyring starved of CPU (load 10-15 on two cores) or briefly stopped
 *   misses that ("Did not receive a reply …", D-Bus `NoReply`/`Timeout`). A daemon that died in the
 *   middle of a call also ends here ("Message recipient disconnected from message bus without
 *   replying"): the next attempt then meets a fresh daemon, or none, and gets the definitive answer.
 *
 * Everything else is not retried: no session bus ("Using X11 for dbus-daemon autolaunch …",
 * "Failed to connect to socket …"), no Secret Service or no keyring in it ("… was not provided by
 * any .service files", "Secret Service: no result found"), a locked keyring. Those refuse at once.
 */
export type TransientKeychainFailure = 'item_changed' | 'no_reply';

const ITEM_CHANGED =
  /No such interface .*Secret\.Item|Object does not exist at path|No such interface .*DBus\.Properties.* on object at path \/org\/freedesktop\/secrets\/collection\/[^/\s]+\/\S/;
const NO_REPLY =
  /Did not receive a reply|org\.freedesktop\.DBus\.Error\.(NoReply|Timeout)\b|disconnected from message bus without replying/;

export function transientKeychainFailure(error: unknown): TransientKeychainFailure | undefined {
  if (!(error instanceof Error)) return undefined;
  if (ITEM_CHANGED.test(error.message)) return 'item_changed';
  if (NO_REPLY.test(error.message)) return 'no_reply';
  return undefined;
}

export function classifyKeychainError(error: unknown, platform: NodeJS.Platform): StrongroomError {
  const text = error instanceof Error ? error.message : String(error);
  const locked =
    /prompt was dismissed|\blocked\b|user interaction is not allowed|interaction not allowed/i.test(text);
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
