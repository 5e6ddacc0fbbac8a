import { NOW } from '@strongroom/shared/access/accessFixtures.test-support.js';
import { activateStrongroom, type Activated } from '../activateStrongroom.js';
import * as core from '../core.js';
import * as full from '../coreFull.js';
import { FakeAccess } from './FakeAccess.js';
import { fakeVscode, type FakeVscode } from './fakeVscode.js';

export interface Started {
  vs: FakeVscode;
  access: FakeAccess;
  activated: Activated;
  clock: { now: number };
}

/**
 * The shipped activate() over the fake vscode surface and a scripted agent (FakeAccess), once it is
 * ready. `setup` runs before activate(), to script either side.
 */
export async function startExtension(
  setup: (vs: FakeVscode, access: FakeAccess) => void = () => undefined,
): Promise<Started> {
  const vs = fakeVscode();
  const clock = { now: NOW };
  const access = new FakeAccess(() => clock.now);
  setup(vs, access);
  const activated = activateStrongroom(
    vs.api,
    { subscriptions: [] },
    {
      loadCore: async () => ({ ...core, loadFull: async () => full, createCoreAccess: async () => access }),
      env: {},
      platform: 'linux',
      version: '0.1.0',
      now: () => clock.now,
      tickMs: 60_000,
    },
  );
  await activated.ready;
  return { vs, access, activated, clock };
}

/** Lets queued promise callbacks run (notifications' buttons, state listeners). */
export const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

/**
 * Waits until `done()` holds (a command's module loads on its first run, which takes longer than a
 * turn of the event loop under the test runner); throws after `ms`.
 */
export async function settleUntil(done: () => boolean, ms = 5_000): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error('settleUntil: still not done');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
