import type { FastifyRequest } from 'fastify';
import { BrokerError } from '../../errors/BrokerError.js';
import type { DeviceRecord } from '../../store/deviceRecords.js';
import type { UserRecord } from '../../store/records.js';

/** Who is calling the API, established by `authenticateApiRequest` from the DPoP-bound token. */
export interface ApiCaller {
  user: UserRecord;
  /** The token's `cnf.jkt` = the proof key's thumbprint = the device key (shared/src/device). */
  thumbprint: string;
  clientId: string;
  grantId: string;
  scopes: ReadonlySet<string>;
  srcIp: string;
  /** The caller's enrolled device (its key is the token's `jkt`), when it has one. */
  device?: DeviceRecord;
}

// Kept beside the request rather than on it: no module augmentation of Fastify's types, and
// nothing but this module can set it.
const callers = new WeakMap<FastifyRequest, ApiCaller>();

export function setApiCaller(request: FastifyRequest, caller: ApiCaller): void {
  callers.set(request, caller);
}

/** The authenticated caller; every `/api/v1` route runs after authentication, so this is set. */
export function apiCallerOf(request: FastifyRequest): ApiCaller {
  const caller = callers.get(request);
  if (!caller) throw new BrokerError('unauthorized', 'request is not authenticated');
  return caller;
}
