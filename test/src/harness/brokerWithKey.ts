import type { Page } from 'playwright-core';
import { enrollWithKey } from './keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './launchBrowser.js';
import { startLoopbackReceiver, type LoopbackReceiver } from './loopbackReceiver.js';
import { startBroker, type RunningBroker, type StartBrokerOptions } from './startBroker.js';
import { addVirtualAuthenticator, type VirtualAuthenticator } from './virtualAuthenticator.js';

export interface BrokerWithKey {
  broker: RunningBroker;
  browser: LaunchedBrowser;
  /** A page with a virtual security key attached. */
  page: Page;
  key: VirtualAuthenticator;
  receiver: LoopbackReceiver;
  /** Closes the receiver and the browser and stops the broker (whatever was started). */
  close(): Promise<void>;
}

/**
 * The usual end-to-end world: a broker, Chromium with a virtual security key, a loopback redirect
 * receiver, and (unless `enroll: false`) the admin enrolled with that key through the printed link.
 */
export async function brokerWithKey(
  options: StartBrokerOptions & { enroll?: boolean } = {},
): Promise<BrokerWithKey> {
  const { enroll = true, ...brokerOptions } = options;
  const broker = await startBroker(brokerOptions);
  const started: { browser?: LaunchedBrowser; receiver?: LoopbackReceiver } = {};
  const close = async () => {
    await started.receiver?.close();
    await started.browser?.close();
    await broker.stop();
  };
  try {
    started.browser = await launchBrowser();
    const page = await started.browser.newPage();
    const key = await addVirtualAuthenticator(page);
    if (enroll) await enrollWithKey(page, broker.enrollmentLink ?? '');
    started.receiver = await startLoopbackReceiver();
    return { broker, browser: started.browser, page, key, receiver: started.receiver, close };
  } catch (error) {
    await close();
    throw error;
  }
}
