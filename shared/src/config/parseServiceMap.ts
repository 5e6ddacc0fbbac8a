/** `host` or `host:port` as git sends it in `host=` (lower-case DNS name, IPv4, or [IPv6]). */
export const GIT_HOST = /^(?:[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?|\[[0-9a-f:.]+\])(?::\d{1,5})?$/;
/** A kubeconfig cluster name as `kube-credential --cluster` takes it. */
export const KUBE_CLUSTER = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,127}$/;
const SERVICE = /^[\x21-\x7e]{1,200}$/;

/**
 * `{ "<key>": "<service>" }` maps of a profile (`git` hosts, `kube` clusters → the catalog service
 * whose token they get). Hand-written like the rest of the config parser (no zod on the hot path);
 * problems are collected, not thrown, so every one is reported at once.
 */
export function parseServiceMap(
  raw: unknown,
  where: string,
  key: RegExp,
  problems: string[],
): Readonly<Record<string, string>> | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    problems.push(`${where} must be an object of names to services`);
    return undefined;
  }
  const out: Record<string, string> = {};
  for (const [name, service] of Object.entries(raw)) {
    if (!key.test(name)) problems.push(`${where}: "${name.slice(0, 80)}" is not a valid name`);
    else if (typeof service !== 'string' || !SERVICE.test(service))
      problems.push(`${where}.${name} must name a service (its catalog id or audience)`);
    else out[name] = service;
  }
  return Object.freeze(out);
}

/**
 * The service a key (git host, cluster) maps to: the map's own entries only. A plain lookup would
 * answer `constructor` or `__proto__` (a repository URL's host, a kubeconfig's cluster name) with
 * Object's own members and send that on as an audience.
 */
export function mappedService(
  map: Readonly<Record<string, string>> | undefined,
  key: string | undefined,
): string | undefined {
  if (map === undefined || key === undefined || !Object.hasOwn(map, key)) return undefined;
  return map[key];
}
