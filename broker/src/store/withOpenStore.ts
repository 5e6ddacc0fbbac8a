import type { Store } from './Store.js';

/** Opens a store for one command, runs `fn` with it and closes it whatever happens (CLI commands). */
export async function withOpenStore<T>(
  open: () => Promise<Store>,
  fn: (store: Store) => Promise<T>,
): Promise<T> {
  const store = await open();
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
