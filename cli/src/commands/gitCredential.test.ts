import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedCliEnv, type IsolatedCliEnv } from '../testing/isolatedCliEnv.js';
import { runStrongroomWithInput } from '../testing/runStrongroom.js';

/** `strongroom git-credential <action>` with git's protocol text on stdin, as git runs it. */
const helper = (env: NodeJS.ProcessEnv, action: string, input: string) =>
  runStrongroomWithInput(['git-credential', action], env, input);

/**
 * Which hosts the git helper answers for: only those of the profile's `git` map. A repository (or
 * submodule) URL picks the host git sends; one named after an Object member (`constructor`,
 * `__proto__`) must not reach the token path. No broker runs here: an answered host would show
 * up as a token attempt (`quit=1` with an error), an ignored one as silence.
 */
describe('strongroom git-credential host matching', () => {
  let cli: IsolatedCliEnv;
  beforeAll(() => {
    cli = isolatedCliEnv({ STRONGROOM_NO_AGENT: '1' });
    const dir = join(cli.env['XDG_CONFIG_HOME'] ?? '', 'strongroom');
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({
        currentProfile: 'p',
        profiles: {
          p: {
            broker: 'http://localhost:1',
            clientId: 'strongroom-cli',
            acr: 'urn:strongroom:acr:hwk',
            git: { 'git.example.com': 'ml-git' },
          },
        },
      }),
    );
  });
  afterAll(() => cli.remove());

  it.each(['constructor', '__proto__', 'toString', 'github.com'])(
    'says nothing for host %s (git asks its other helpers)',
    async (host) => {
      const r = await helper(cli.env, 'get', `protocol=https\nhost=${host}\npath=x.git\n\n`);
      expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
      expect((await helper(cli.env, 'erase', `protocol=https\nhost=${host}\n\n`)).stdout).toBe('');
    },
  );

  it('answers for a configured host (control: here it refuses plain http to it)', async () => {
    const r = await helper(cli.env, 'get', 'protocol=http\nhost=git.example.com\n\n');
    expect(r.stdout).toBe('quit=1\n');
    expect(r.stderr).toMatch(/refusing to send a token to http:\/\/git.example.com/);
  });
});
