/**
 * Why an export failed verification. `seq` names the first record that cannot be trusted (null
 * when the problem is not in a record, e.g. a bad header or a removed checkpoint).
 */
export type AuditProblem =
  | 'malformed' // a line is not what the format allows
  | 'edited' // a record's content does not match its hash, or the next record's link to it
  | 'deleted' // a record (or checkpoint) is missing
  | 'reordered' // records or checkpoints are out of order or repeated
  | 'bad_checkpoint' // a checkpoint's signature is invalid or it does not match the chain
  | 'bad_key' // a signature names a key the export does not carry, or one the verifier does not trust
  | 'truncated'; // the signed end line is missing or does not match what came before it

export interface AuditVerifyFailure {
  ok: false;
  problem: AuditProblem;
  seq: number | null;
  /** 1-based line of the export where the problem was found. */
  line: number;
  message: string;
}

export interface AuditVerifySuccess {
  ok: true;
  records: number;
  checkpoints: number;
  seq: number;
  hash: string;
  /** Key ids (RFC 7638 thumbprints) that signed; compare with the broker's published one. */
  keyIds: string[];
}

export type AuditVerifyResult = AuditVerifySuccess | AuditVerifyFailure;
