import { describe, expect, it } from 'vitest';
import { StrongroomError } from '../errors/StrongroomError.js';
import { terminalEnvironment } from './terminalEnvironment.js';

const pointers = {
  AWS_CONTAINER_CREDENTIALS_FULL_URI: 'http://127.0.0.1:41234/role/ml-researcher',
  AWS_CONTAINER_AUTHORIZATION_TOKEN: 'Yql2QW924yO2VpNaFBAfOQYql2QW924yO2VpNaFBAfOQ',
  STRONGROOM_TERMINAL_TOKEN: 'Yql2QW924yO2VpNaFBAfOQYql2QW924yO2VpNaFBAfOQ',
  SSH_AUTH_SOCK: '/run/user/1000/ssh-agent.sock',
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'credential.helper',
  GIT_CONFIG_VALUE_0: '!strongroom git-credential',
  KUBECONFIG: '/run/user/1000/strongroom/kubeconfig',
};

describe('terminalEnvironment: an elevated terminal gets pointers, never credentials', () => {
  it('accepts the agent pointers as they are', () => {
    expect(terminalEnvironment(pointers)).toEqual(pointers);
  });

  it.each([
    ['AWS_SECRET_ACCESS_KEY', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'],
    ['AWS_SESSION_TOKEN', 'FwoGZXIvYXdzEJr'],
    ['AWS_ACCESS_KEY_ID', 'ASIAEXAMPLE'],
    ['STRONGROOM_ACCESS_KEY', 'x'],
    ['GITHUB_TOKEN', 'ghp_x'],
    ['LD_PRELOAD', '/tmp/evil.so'],
    ['PATH', '/tmp/evil:/usr/bin'],
  ])('refuses %s', (name, value) => {
    expect(() => terminalEnvironment({ ...pointers, [name]: value })).toThrow(StrongroomError);
  });

  it.each([
    ['https://169.254.170.2/creds', 'not loopback http'],
    ['http://evil.example:80/role/x', 'not loopback'],
    ['http://user:secret@127.0.0.1:4000/role/x', 'user info'],
  ])('refuses a container URL %s (%s): the SDK would send the token there', (url) => {
    expect(() => terminalEnvironment({ ...pointers, AWS_CONTAINER_CREDENTIALS_FULL_URI: url })).toThrow(
      /AWS_CONTAINER_CREDENTIALS_FULL_URI/,
    );
  });

  it('refuses a git URL rewrite that carries a token, and values that break lines', () => {
    expect(() =>
      terminalEnvironment({ ...pointers, GIT_CONFIG_VALUE_0: 'https://x-access-token:ghs_abc@github.com/' }),
    ).toThrow(/credentials/);
    expect(() => terminalEnvironment({ ...pointers, SSH_AUTH_SOCK: '/tmp/a\nexport X=1' })).toThrow(
      /unusable/,
    );
  });
});
