import { BrokerError } from '../errors/BrokerError.js';
import type { Store } from '../store/Store.js';

/**
 * Returns the setting `name`, creating it with `create()` when missing. Several broker instances
 * starting at once on one store may each create a value; `insertSettingIfAbsent` lets exactly one
 * win and everyone re-reads the winner's, so all instances share one key.
 */
export async function loadOrCreateSetting<T>(
  store: Store,
  name: string,
  create: () => Promise<T>,
): Promise<T> {
  const existing = await store.getSetting<T>(name);
  if (existing !== undefined) return existing;
  await store.insertSettingIfAbsent(name, await create());
  const winner = await store.getSetting<T>(name);
  if (winner === undefined) throw new BrokerError('store_failed', `setting ${name} vanished after creation`);
  return winner;
}
