import { describe, expect, it } from 'vitest';
import { parsePostureOptions } from './PostureOptions.js';

describe('parsePostureOptions', () => {
  it('fills defaults and freezes the result', () => {
    const options = parsePostureOptions(undefined);
    expect(options).toEqual({
      maxPatchAgeDays: 30,
      maxIdleDelaySeconds: 900,
      endpointProcesses: { linux: [], darwin: [], win32: [] },
      checkTimeoutMs: 5000,
    });
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(options.endpointProcesses.linux)).toBe(true);
  });

  it.each([
    [{ maxPatchAgeDays: 0 }, /maxPatchAgeDays/],
    [{ maxIdleDelaySeconds: 1.5 }, /maxIdleDelaySeconds/],
    [{ checkTimeoutMs: 10 }, /checkTimeoutMs/],
    [{ unknownThreshold: 1 }, /unrecognized key/i],
    [{ endpointProcesses: { linux: ['falcon*'] } }, /endpointProcesses\.linux\.0/],
    [{ endpointProcesses: { linux: ['falcon\u001b[2J'] } }, /control characters/],
    [{ endpointProcesses: { solaris: [] } }, /unrecognized key/i],
  ])('refuses %j', (input, message) => {
    expect(() => parsePostureOptions(input)).toThrow(message);
  });
});
