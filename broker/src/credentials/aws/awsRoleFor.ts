import { entityUidOf } from '../../policy/toCedarValue.js';
import type { PolicyBundle } from '../../policy/PolicyBundle.js';
import { BrokerError } from '../../errors/BrokerError.js';

/** The catalog asset a Strongroom role name stands for, and the IAM role its grants may assume. */
export interface AwsRoleMapping {
  target: { type: string; id: string };
  roleArn: string;
}

/**
 * Maps the name a user gives (`strongroom credential-process --role <name>`) to an AWS role through
 * the catalog's `awsRoleArn` attribute (policy as code: the mapping is versioned with the policies):
 * - an asset of that id with an `awsRoleArn` (`s3://corp-ml/raw/`), or else
 * - the one asset with an `awsRoleArn` that lists the Role of that name in its `roles`
 *   (`restricted-data-reader`); several such assets are ambiguous and refused with their names.
 * Issuance is then authorized on that asset (authorizeIssuance), so the grant and the policy decide.
 */
export function awsRoleFor(bundle: PolicyBundle, name: string): AwsRoleMapping {
  const mapped: AwsRoleMapping[] = [];
  const throughRole: AwsRoleMapping[] = [];
  for (const entity of bundle.catalog.values()) {
    const arn = entity.attrs['awsRoleArn'];
    if (typeof arn !== 'string') continue;
    const mapping = { target: { type: entity.type, id: entity.id }, roleArn: arn };
    if (entity.id === name) mapped.push(mapping);
    const roles = entity.attrs['roles'];
    if (
      Array.isArray(roles) &&
      roles.some((r) => {
        const uid = entityUidOf(r, 'Role');
        return uid?.type === 'Role' && uid.id === name;
      })
    )
      throughRole.push(mapping);
  }
  const exact = mapped.length === 1 ? mapped[0] : undefined;
  if (exact !== undefined) return exact;
  const only = throughRole.length === 1 ? throughRole[0] : undefined;
  if (only !== undefined) return only;
  if (mapped.length + throughRole.length > 1)
    throw new BrokerError(
      'invalid_request',
      `"${name}" maps to several AWS roles; name the asset instead: ${[...mapped, ...throughRole].map((m) => m.target.id).join(', ')}`,
    );
  throw new BrokerError('not_found', `no AWS role is mapped to "${name}" in the policy bundle`);
}
