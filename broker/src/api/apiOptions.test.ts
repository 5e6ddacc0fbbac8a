import { describe, expect, it } from 'vitest';
import { serveConfigFrom } from '../bin/serveOptions.js';
import { loadBrokerConfig } from '../config/loadBrokerConfig.js';
import { parseApiOptions } from './apiOptions.js';

describe('device API options', () => {
  it('defaults: re-enrollment without admin approval, short windows', () => {
    expect(parseApiOptions()).toEqual({
      requireAdminApprovalForReenrollment: false,
      dpopIatWindowSeconds: 60,
      postureNonceTtlSeconds: 120,
      postureReportMaxSkewSeconds: 300,
      postureMaxAgeSeconds: 3600,
    });
    expect(Object.isFrozen(parseApiOptions())).toBe(true);
  });

  it('refuses unknown and out-of-range settings, naming each', () => {
    expect(() => parseApiOptions({ requireAdminApproval: true } as never)).toThrow(
      /unrecognized|Unrecognized/,
    );
    expect(() => parseApiOptions({ postureNonceTtlSeconds: 86_400 })).toThrow(/postureNonceTtlSeconds/);
  });

  it('is the `devices` section of the broker config', () => {
    const config = loadBrokerConfig({ port: 7700, devices: { requireAdminApprovalForReenrollment: true } });
    expect(config.devices.requireAdminApprovalForReenrollment).toBe(true);
    expect(loadBrokerConfig({ port: 7700 }).devices.requireAdminApprovalForReenrollment).toBe(false);
    const flagged = serveConfigFrom({ requireAdminApprovalForReenrollment: true }, {});
    expect(loadBrokerConfig(flagged).devices.requireAdminApprovalForReenrollment).toBe(true);
  });
});
