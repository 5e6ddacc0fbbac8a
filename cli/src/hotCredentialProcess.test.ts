import { describe, expect, it } from 'vitest';
import { hotCredentialProcess } from './hotCredentialProcess.js';

describe('hotCredentialProcess', () => {
  it.each([
    [['credential-process', '--role', 'r'], { role: 'r' }],
    [
      ['credential-process', '--role', 's3://corp-ml/raw/', '--grant', 'g1'],
      { role: 's3://corp-ml/raw/', grant: 'g1' },
    ],
    [['credential-process', '--grant', 'g1', '--role', 'r'], { role: 'r', grant: 'g1' }],
  ])('%j runs without commander', (args, expected) => {
    expect(hotCredentialProcess(args)).toEqual(expected);
  });

  it.each([
    [['credential-process']],
    [['credential-process', '--role']],
    [['credential-process', '--role', '--help']],
    [['credential-process', '--grant', 'g1']],
    [['credential-process', '--role', 'a', '--role', 'b']],
    [['credential-process', '--role', 'r', '--profile', 'p']],
    [['credential-process', '--role', 'r', 'extra']],
    [['--profile', 'p', 'credential-process', '--role', 'r']],
    [['credential-proces', '--role', 'r']],
  ])('%j goes to the full parser', (args) => {
    expect(hotCredentialProcess(args)).toBeUndefined();
  });
});
