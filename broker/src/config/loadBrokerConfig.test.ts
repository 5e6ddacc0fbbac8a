import { describe, expect, it } from 'vitest';
import { BrokerError } from '../errors/BrokerError.js';
import { loadBrokerConfig } from './loadBrokerConfig.js';

describe('loadBrokerConfig', () => {
  it('applies the documented defaults and freezes the result', () => {
    const config = loadBrokerConfig({});
    expect(config.port).toBe(7700);
    expect(config.issuer).toBe('http://localhost:7700');
    expect(config.dataDir).toBe('./.strongroom');
    expect(config.accessTokenTtlSeconds).toBe(600);
    expect(config.sessionTtlSeconds).toBe(12 * 3600);
    expect(config.store).toEqual({ kind: 'sqlite' });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reports every error at once', () => {
    try {
      loadBrokerConfig({ port: -1, accessTokenTtlSeconds: 1, aaguidAllowList: ['nope'] });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BrokerError);
      const message = (error as BrokerError).message;
      expect(message).toContain('port');
      expect(message).toContain('accessTokenTtlSeconds');
      expect(message).toContain('aaguidAllowList');
    }
  });

  it('rejects unknown keys', () => {
    expect(() => loadBrokerConfig({ nope: 1 } as never)).toThrow(/nope|unrecognized/i);
  });

  it('refuses plain HTTP on a non-loopback address unless --insecure-dev', () => {
    expect(() => loadBrokerConfig({ host: '0.0.0.0' })).toThrow(/non-loopback/);
    expect(() => loadBrokerConfig({ issuer: 'http://broker.example.com' })).toThrow(/issuer/);
    expect(loadBrokerConfig({ host: '0.0.0.0', insecureDev: true }).host).toBe('0.0.0.0');
  });

  it('refuses an IP-address issuer (browsers refuse WebAuthn there)', () => {
    expect(() => loadBrokerConfig({ issuer: 'http://127.0.0.1:7700' })).toThrow(/host name/);
  });

  it('requires a URL for the postgres store', () => {
    expect(() => loadBrokerConfig({ store: { kind: 'postgres' } as never })).toThrow(/store/);
    expect(loadBrokerConfig({ store: { kind: 'postgres', url: 'postgres://x/y' } }).store.kind).toBe(
      'postgres',
    );
  });
});
