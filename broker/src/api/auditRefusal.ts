import type { BrokerError } from '../errors/BrokerError.js';
import type { AuditEventInput } from '../audit/AuditEvent.js';
import type { Store } from '../store/Store.js';

/**
 * Records a refusal, then throws it. A refusal changes nothing, so its record is written on its own
 * (never inside the transaction being refused, which rolls back). If even that record cannot be
 * written the request fails with `audit_write_failed`: nothing goes unrecorded.
 */
export async function auditRefusal(store: Store, event: AuditEventInput, error: BrokerError): Promise<never> {
  await store.appendAudit(event);
  throw error;
}
