import { describe, expect, it } from 'vitest';
import { agentSocketPath } from './agentSocketPath.js';

describe('agentSocketPath', () => {
  it('uses $XDG_RUNTIME_DIR/strongroom/agent.sock', () => {
    expect(
      agentSocketPath({
        platform: 'linux',
        env: { XDG_RUNTIME_DIR: '/run/user/1000' },
        uid: 1000,
        tmpdir: '/tmp',
      }),
    ).toEqual({
      path: '/run/user/1000/strongroom/agent.sock',
      dir: '/run/user/1000/strongroom',
    });
  });

  it('falls back to a per-uid directory under the temp dir (macOS, containers)', () => {
    expect(agentSocketPath({ platform: 'darwin', env: {}, uid: 501, tmpdir: '/var/folders/x/T' })).toEqual({
      path: '/var/folders/x/T/strongroom-501/agent.sock',
      dir: '/var/folders/x/T/strongroom-501',
    });
    // A relative runtime dir is not trusted.
    expect(
      agentSocketPath({ platform: 'linux', env: { XDG_RUNTIME_DIR: 'run' }, uid: 7, tmpdir: '/tmp' }).dir,
    ).toBe('/tmp/strongroom-7');
  });

  it('takes STRONGROOM_AGENT_SOCKET, whose directory is checked like any other', () => {
    expect(
      agentSocketPath({
        platform: 'linux',
        env: { STRONGROOM_AGENT_SOCKET: '/home/a/.s/agent.sock' },
        uid: 1,
        tmpdir: '/tmp',
      }),
    ).toEqual({
      path: '/home/a/.s/agent.sock',
      dir: '/home/a/.s',
    });
  });

  it('uses a named pipe per user on Windows', () => {
    expect(
      agentSocketPath({ platform: 'win32', env: {}, uid: undefined, tmpdir: 'C:\\Temp', username: 'Ada L' }),
    ).toEqual({
      path: '\\\\.\\pipe\\strongroom-agent-Ada_L',
      dir: null,
    });
  });
});
