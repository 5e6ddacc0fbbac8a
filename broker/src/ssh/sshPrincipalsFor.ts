import { BrokerError } from '../errors/BrokerError.js';
import type { CatalogEntity } from '../policy/parseCatalog.js';

/** What sshd can match in an AuthorizedPrincipalsFile: no blanks, commas, quotes or controls. */
const PRINCIPAL = /^[A-Za-z0-9_][A-Za-z0-9_.@-]{0,63}$/;

/**
 * The principals of certificates for a host group: its catalog `sshPrincipals`, or the host group
 * id. A bundle that maps to something sshd could misread is a configuration error, never a
 * certificate with surprising names in it.
 */
export function sshPrincipalsFor(asset: CatalogEntity): string[] {
  const mapped = asset.attrs['sshPrincipals'];
  const principals = Array.isArray(mapped)
    ? mapped.filter((p): p is string => typeof p === 'string')
    : [asset.id];
  const bad = principals.filter((p) => !PRINCIPAL.test(p));
  if (principals.length === 0 || bad.length > 0)
    throw new BrokerError(
      'invalid_config',
      `HostGroup "${asset.id}" maps to unusable SSH principals (${bad.map((p) => JSON.stringify(p)).join(', ') || 'none'})`,
    );
  return principals;
}
