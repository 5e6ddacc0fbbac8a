import { describe, expect, it } from 'vitest';
import { gitAttribute, gitCredentialLine, parseGitCredentialInput } from './gitCredentialProtocol.js';

describe("git's credential-helper protocol", () => {
  it('reads key=value lines up to the blank line, multi-valued keys as lists', () => {
    const input = parseGitCredentialInput(
      'capability[]=authtype\nprotocol=https\nhost=git.example.com:8443\nwwwauth[]=Basic realm="x"\nwwwauth[]=Bearer\n\nignored=1\n',
    );
    expect(input).toEqual({
      'capability[]': ['authtype'],
      protocol: 'https',
      host: 'git.example.com:8443',
      'wwwauth[]': ['Basic realm="x"', 'Bearer'],
    });
    expect(gitAttribute(input ?? {}, 'host')).toBe('git.example.com:8443');
    expect(gitAttribute(input ?? {}, 'wwwauth[]')).toBeUndefined();
    expect(parseGitCredentialInput('protocol=https\nhost=a')).toEqual({ protocol: 'https', host: 'a' });
  });

  it('refuses input that is not the protocol', () => {
    expect(parseGitCredentialInput('no equals sign\n')).toBeUndefined();
    expect(parseGitCredentialInput('=value\n')).toBeUndefined();
    expect(parseGitCredentialInput('host=a\0b\n')).toBeUndefined();
    expect(parseGitCredentialInput(`host=${'a'.repeat(70_000)}\n`)).toBeUndefined();
  });

  it('never writes a value that could inject another attribute', () => {
    expect(gitCredentialLine('password', 'abc')).toBe('password=abc\n');
    expect(() => gitCredentialLine('password', 'abc\nusername=evil')).toThrow(/unsafe/);
    expect(() => gitCredentialLine('pass=word', 'abc')).toThrow(/unsafe/);
  });
});
