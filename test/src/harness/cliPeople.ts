import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedCliEnv, type IsolatedCliEnv } from '@strongroom/cli/testing/isolatedCliEnv.js';
import { runStrongroom, type CliRun } from '@strongroom/cli/testing/runStrongroom.js';
import type { Page } from 'playwright-core';
import { startBrowserHandoff, type BrowserHandoff } from './browserHandoff.js';
import { enrollWithKey, signInWithKey } from './keyCeremonies.js';
import { launchBrowser, type LaunchedBrowser } from './launchBrowser.js';
import type { RunningBroker } from './startBroker.js';
import { addVirtualAuthenticator } from './virtualAuthenticator.js';

/** One person: their own browser context (cookies) and security key, and their own CLI home and profile. */
export interface CliPerson {
  readonly name: string;
  readonly page: Page;
  readonly cli: IsolatedCliEnv;
  /** Browser work started by the CLI (sign-in, approval); `run` awaits it. */
  readonly pending: Array<Promise<void>>;
  /** Every URL the CLI opened in this person's browser, in order (a test can assert none was). */
  readonly opened: string[];
}

export interface CliPeople {
  /** Invites `name` with the roles, enrolls their virtual key, and signs their CLI in. */
  add(name: string, roles: readonly string[]): Promise<CliPerson>;
  person(name: string): CliPerson;
  /** Runs `strongroom <args>` as that person (plus `env`), then waits for the browser work it started. */
  run(name: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<CliRun>;
  /** Logs everyone out (device keys too), removes their homes, closes a browser it launched. */
  close(): Promise<void>;
}

const STATUS = '[data-testid="status"]';

/** Opens an approval link (strongroom approve) and touches the key on the broker's page. */
export async function approveWithKey(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByTestId('approve-key').click();
  const settled = page.locator(`${STATUS}[data-state="done"], ${STATUS}[data-state="error"]`);
  await settled.waitFor({ timeout: 20_000 });
  if ((await settled.getAttribute('data-state')) === 'error')
    throw new Error(`approval page reported: ${(await settled.textContent()) ?? ''}`);
}

/**
 * Several people using the real CLI against one real broker: each gets an invite, a Chromium
 * context with a virtual security key, an isolated HOME/XDG and keychain profile, and a browser
 * opener that hands the CLI's URLs (sign-in, approval links) to their own page. Launches Chromium
 * unless one is given.
 */
export async function cliPeople(broker: RunningBroker, given?: LaunchedBrowser): Promise<CliPeople> {
  const browser = given ?? (await launchBrowser());
  const people = new Map<string, CliPerson>();
  const handoff: BrowserHandoff = await startBrowserHandoff((url, path) => {
    const p = people.get(path.slice(1));
    if (!p) return;
    p.opened.push(url);
    const work = new URL(url).pathname.startsWith('/approve/')
      ? approveWithKey(p.page, url)
      : signInWithKey(p.page, url);
    work.catch(() => undefined); // kept for settle(); the handoff server must not crash
    p.pending.push(work);
  });
  const person = (name: string): CliPerson => {
    const p = people.get(name);
    if (!p) throw new Error(`no person ${name}`);
    return p;
  };
  const run = async (name: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> => {
    const p = person(name);
    const result = await runStrongroom(args, { ...p.cli.env, ...env });
    await Promise.all(p.pending.splice(0));
    return result;
  };
  return {
    person,
    run,
    async add(name, roles) {
      const context = await browser.browser.newContext();
      const page = await context.newPage();
      await addVirtualAuthenticator(page);
      await enrollWithKey(page, await broker.invite(`${name}@example.test`, [...roles]));
      const cli = isolatedCliEnv({ STRONGROOM_HANDOFF: `${handoff.url}${name}` });
      const opener = join(cli.root, 'open-browser.mjs');
      writeFileSync(
        opener,
        "await fetch(process.env.STRONGROOM_HANDOFF, { method: 'POST', body: process.argv.at(-1) });\n",
      );
      cli.env['STRONGROOM_BROWSER'] = `${process.execPath} ${opener}`;
      cli.env['STRONGROOM_PROFILE'] = `${name}-${randomBytes(5).toString('hex')}`;
      const p: CliPerson = { name, page, cli, pending: [], opened: [] };
      people.set(name, p);
      const set = await run(name, ['config', 'set-broker', broker.issuer]);
      if (set.code !== 0) throw new Error(`config set-broker failed: ${set.stderr}`);
      const login = await run(name, ['login']);
      if (login.code !== 0) throw new Error(`login failed: ${login.stderr}`);
      return p;
    },
    async close() {
      for (const p of people.values()) {
        await runStrongroom(['logout', '--forget-device'], p.cli.env);
        p.cli.remove();
      }
      handoff.close();
      if (given === undefined) await browser.close();
    },
  };
}
