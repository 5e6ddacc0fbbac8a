import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StrongroomError } from '../errors/StrongroomError.js';
import { MAX_AGENT_FRAME_BYTES } from '../protocol/agentApi.js';
import { AgentClient } from './AgentClient.js';
import { AgentHandlerRegistry } from './AgentHandlerRegistry.js';
import { agentSocketPath, type AgentEndpoint } from './agentSocketPath.js';
import { startAgentServer, type AgentServer } from './startAgentServer.js';

const uid = process.getuid?.();
const linux = process.platform === 'linux';

/** Sends raw bytes, collects every line the agent answers until it closes the connection. */
function rawExchange(path: string, bytes: string | Buffer): Promise<{ lines: unknown[]; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ lines: parse(text), closed: false });
    }, 3_000);
    socket.on('data', (d: Buffer) => (text += d.toString()));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ lines: parse(text), closed: true });
    });
    socket.write(bytes);
  });
}
const parse = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as unknown);

describe('startAgentServer (real Unix socket)', () => {
  let root: string;
  let endpoint: AgentEndpoint;
  let server: AgentServer;
  const calls: string[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'strongroom-agent-test-'));
    endpoint = agentSocketPath({
      platform: process.platform,
      env: { XDG_RUNTIME_DIR: root },
      uid,
      tmpdir: root,
    });
    const methods = new AgentHandlerRegistry(() => undefined);
    methods.handle('trigger', ({ reason }) => {
      calls.push(reason);
      return { accepted: true as const };
    });
    methods.register(
      'test.echo',
      {
        params: z.strictObject({ text: z.string().max(10) }),
        result: z.strictObject({ text: z.string() }),
        summary: 'echo',
      },
      ({ text }) => ({ text }),
    );
    methods.register(
      'test.fail',
      { params: z.undefined(), result: z.strictObject({}), summary: 'fails' },
      () => {
        throw new StrongroomError('posture_failing', 'Posture does not pass.', { hint: 'fix it' });
      },
    );
    methods.register(
      'test.crash',
      { params: z.undefined(), result: z.strictObject({}), summary: 'crashes' },
      () => {
        throw new Error('secret /home/a/path leaked?');
      },
    );
    server = await startAgentServer({
      methods,
      endpoint,
      platform: process.platform,
      uid,
      log: () => undefined,
    });
  });

  afterEach(async () => {
    await server.close();
    await rm(root, { recursive: true, force: true });
  });

  it('creates the socket 0600 in a 0700 directory and answers requests in order on one connection', async () => {
    expect(endpoint.path).toBe(join(root, 'strongroom', 'agent.sock'));
    expect((await stat(endpoint.dir ?? '')).mode & 0o777).toBe(0o700);
    expect((await stat(endpoint.path)).mode & 0o777).toBe(0o600);
    const client = await AgentClient.connect(endpoint, uid);
    expect(client).toBeDefined();
    const answers = await Promise.all([
      client?.request('test.echo', { text: 'one' }),
      client?.request('trigger', { reason: 'network' }),
      client?.request('test.echo', { text: 'two' }),
    ]);
    expect(answers).toEqual([{ text: 'one' }, { accepted: true }, { text: 'two' }]);
    expect(calls).toContain('network');
    // A method's own error keeps the connection; its code and hint cross intact.
    await expect(client?.request('test.fail')).rejects.toMatchObject({
      code: 'posture_failing',
      hint: 'fix it',
    });
    // A stray exception's text never crosses.
    await expect(client?.request('test.crash')).rejects.toMatchObject({
      code: 'internal',
      message: 'The agent failed to answer this request.',
    });
    // Invalid params: an answer, not a disconnect.
    await expect(client?.request('test.echo', { text: 'far too long here' })).rejects.toMatchObject({
      code: 'usage',
    });
    await expect(client?.request('test.echo', { text: 'ok', extra: 1 })).rejects.toMatchObject({
      code: 'usage',
    });
    expect(await client?.request('test.echo', { text: 'still' })).toEqual({ text: 'still' });
    client?.close();
  });

  it.each([
    ['not JSON', 'hello\n', 'bad_frame', null],
    ['JSON but not an object', '[1,2]\n', 'bad_frame', null],
    [
      'a wrong version',
      '{"v":2,"id":7,"method":"trigger","params":{"reason":"manual"}}\n',
      'unsupported_version',
      7,
    ],
    [
      'an unknown field in the envelope',
      '{"v":1,"id":8,"method":"trigger","params":{"reason":"manual"},"x":1}\n',
      'bad_frame',
      8,
    ],
    ['an unknown method', '{"v":1,"id":"a","method":"shell.exec","params":{}}\n', 'unknown_method', 'a'],
    ['a method name that is not a name', '{"v":1,"id":9,"method":"../etc","params":{}}\n', 'bad_frame', 9],
    ['an id that is an object', '{"v":1,"id":{"a":1},"method":"trigger"}\n', 'bad_frame', null],
  ])('answers %s with an error and closes the connection', async (_what, bytes, code, id) => {
    const { lines, closed } = await rawExchange(endpoint.path, bytes);
    expect(closed).toBe(true);
    expect(lines).toEqual([{ v: 1, id, ok: false, error: { code, message: expect.any(String) } }]);
    expect(calls).not.toContain('manual');
  });

  it('refuses an oversized frame as soon as it is too big, without waiting for its end', async () => {
    const { lines, closed } = await rawExchange(endpoint.path, Buffer.alloc(MAX_AGENT_FRAME_BYTES + 10, 'a'));
    expect(closed).toBe(true);
    expect(lines).toEqual([
      { v: 1, id: null, ok: false, error: { code: 'frame_too_large', message: expect.any(String) } },
    ]);
  });

  it('keeps serving other connections after malformed ones', async () => {
    await rawExchange(endpoint.path, '\u0000\u0001garbage\n');
    await rawExchange(endpoint.path, '{"v":1,"id":1,"method":"trigger","params":{"reason":"bogus"}}\n');
    const client = await AgentClient.connect(endpoint, uid);
    expect(await client?.request('trigger', { reason: 'unlock' })).toEqual({ accepted: true });
    client?.close();
  });

  it('refuses to start a second agent on a live socket, and replaces a stale one', async () => {
    const methods = new AgentHandlerRegistry(() => undefined);
    await expect(
      startAgentServer({ methods, endpoint, platform: process.platform, uid, log: () => undefined }),
    ).rejects.toMatchObject({ code: 'usage' });
    await server.close();
    // A socket file nobody listens on (a crashed agent): replaced.
    const stale = connect(endpoint.path);
    stale.on('error', () => undefined);
    server = await startAgentServer({
      methods,
      endpoint,
      platform: process.platform,
      uid,
      log: () => undefined,
    });
    expect((await stat(endpoint.path)).isSocket()).toBe(true);
  });

  it('refuses a socket directory that is a symlink or not private, and the client will not connect there', async () => {
    const other = join(root, 'planted');
    await mkdir(other, { mode: 0o755 });
    await chmod(other, 0o755);
    const planted: AgentEndpoint = { path: join(other, 'agent.sock'), dir: other };
    // The agent fixes its own directory's mode, but a symlink is refused.
    const link = join(root, 'link');
    await symlink(other, link);
    await expect(
      startAgentServer({
        methods: new AgentHandlerRegistry(() => undefined),
        endpoint: { path: join(link, 'agent.sock'), dir: link },
        platform: process.platform,
        uid,
        log: () => undefined,
      }),
    ).rejects.toMatchObject({ message: expect.stringMatching(/not private: not a directory/) });
    // A client does not talk to an agent in a directory others can write to.
    const rogue = await startAgentServer({
      methods: new AgentHandlerRegistry(() => undefined),
      endpoint: planted,
      platform: process.platform,
      uid,
      log: () => undefined,
    });
    await chmod(other, 0o777);
    expect(await AgentClient.connect(planted, uid)).toBeUndefined();
    await rogue.close();
  });

  it.runIf(linux && uid === 0)(
    'refuses a peer of another uid (nobody), even when file modes would let it in',
    async () => {
      // Loosen the filesystem on purpose so the uid check itself is what stands in the way.
      await chmod(root, 0o711);
      await chmod(endpoint.dir ?? '', 0o711);
      await chmod(endpoint.path, 0o666);
      const script = `
      const s = require('net').connect(${JSON.stringify(endpoint.path)});
      let out = '';
      s.on('connect', () => s.write(JSON.stringify({ v: 1, id: 1, method: 'trigger', params: { reason: 'manual' } }) + '\\n'));
      s.on('data', (d) => (out += d));
      s.on('error', (e) => { console.log(JSON.stringify({ error: e.code })); process.exit(0); });
      s.on('close', () => { console.log(out.trim()); process.exit(0); });`;
      const stdout = await new Promise<string>((resolve, reject) =>
        execFile(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script],
          (error, out) => (error ? reject(error) : resolve(out)),
        ),
      );
      expect(JSON.parse(stdout.trim())).toEqual({
        v: 1,
        id: null,
        ok: false,
        error: { code: 'peer_refused', message: 'This agent serves only its own user.' },
      });
      expect(calls).not.toContain('manual');
      // With the default modes, the filesystem alone keeps nobody out.
      await chmod(endpoint.dir ?? '', 0o700);
      const blocked = await new Promise<string>((resolve, reject) =>
        execFile(
          'setpriv',
          ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, '-e', script],
          (error, out) => (error ? reject(error) : resolve(out)),
        ),
      );
      expect(JSON.parse(blocked.trim())).toEqual({ error: 'EACCES' });
    },
  );
});
