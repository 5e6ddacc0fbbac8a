import { StrongroomError } from '@strongroom/shared/errors/StrongroomError.js';
import { describe, expect, it } from 'vitest';
import { parseTarget } from './commands/request.js';
import { parseDuration } from './jitCall.js';

describe('JIT command arguments', () => {
  it('reads durations in hours and minutes', () => {
    expect(parseDuration('2h')).toBe(120);
    expect(parseDuration('90m')).toBe(90);
    expect(parseDuration('1h30m')).toBe(90);
    expect(parseDuration('45')).toBe(45);
  });

  it('refuses what is not a duration, as a usage error', () => {
    for (const bad of ['', '0', '0h', 'soon', '2d', '-5m', '1.5h']) {
      expect(() => parseDuration(bad)).toThrow(StrongroomError);
      try {
        parseDuration(bad);
      } catch (error) {
        expect((error as StrongroomError).code).toBe('usage');
      }
    }
  });

  it('reads a role by name and an asset as Type:id', () => {
    expect(parseTarget('restricted-data-reader')).toEqual({ type: 'Role', id: 'restricted-data-reader' });
    expect(parseTarget('Dataset:customer-pii')).toEqual({ type: 'Dataset', id: 'customer-pii' });
    expect(parseTarget('BucketPrefix:s3://corp-ml/raw/')).toEqual({
      type: 'BucketPrefix',
      id: 's3://corp-ml/raw/',
    });
    expect(parseTarget('s3://bucket')).toEqual({ type: 'Role', id: 's3://bucket' });
    expect(() => parseTarget('Dataset:')).toThrow(StrongroomError);
  });
});
