import { isIP } from 'node:net';
import { BrokerError } from '../errors/BrokerError.js';
import { brokerConfigSchema, type BrokerConfig, type BrokerConfigInput } from './brokerConfigSchema.js';
import { isLoopbackHost } from './isLoopbackHost.js';

/**
 * Parses the config once, reports every problem at once, and freezes the result. Also enforces the
 * transport rule: plain HTTP only on loopback unless `insecureDev` (tokens and session cookies would
 * otherwise cross the network in clear text).
 */
export function loadBrokerConfig(input: BrokerConfigInput): BrokerConfig {
  const parsed = brokerConfigSchema.safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(config)'}: ${i.message}`);
    throw new BrokerError('invalid_config', `invalid broker config:\n  ${problems.join('\n  ')}`, {
      expose: true,
    });
  }
  const value = parsed.data;
  const issuer = (value.issuer ?? `http://localhost:${value.port}`).replace(/\/+$/, '');
  const problems: string[] = [];
  const issuerUrl = new URL(issuer);
  if (issuerUrl.search || issuerUrl.hash) problems.push('issuer: must not have a query or fragment');
  if (isIP(issuerUrl.hostname.replace(/^\[|\]$/g, '')) !== 0) {
    problems.push(
      'issuer: use a host name (e.g. localhost), browsers refuse WebAuthn on an IP-address origin',
    );
  }
  if (!value.tls && !value.insecureDev) {
    if (!isLoopbackHost(value.host)) {
      problems.push(
        `host: refusing plain HTTP on non-loopback ${value.host}; configure TLS or pass --insecure-dev`,
      );
    }
    if (issuerUrl.protocol !== 'http:' || !isLoopbackHost(issuerUrl.hostname)) {
      problems.push('issuer: without TLS the issuer must be http://localhost[:port] unless --insecure-dev');
    }
  }
  if (value.tls && issuerUrl.protocol !== 'https:')
    problems.push('issuer: with TLS the issuer must be https');
  if (problems.length > 0) {
    throw new BrokerError('invalid_config', `invalid broker config:\n  ${problems.join('\n  ')}`, {
      expose: true,
    });
  }
  return Object.freeze({
    ...value,
    issuer,
    store: Object.freeze(value.store),
    aaguidAllowList: Object.freeze([...value.aaguidAllowList]) as string[],
    tls: value.tls ? Object.freeze(value.tls) : undefined,
  });
}
