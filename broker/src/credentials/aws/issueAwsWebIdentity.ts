import { BrokerError } from '../../errors/BrokerError.js';
import type { AwsWebIdentityRequest, AwsWebIdentityResponse } from '@strongroom/shared/protocol/awsApi.js';
import type { ApiCaller } from '../../api/auth/ApiCaller.js';
import type { JitDeps } from '../../jit/JitDeps.js';
import { auditIssuanceRefusal } from '../auditIssuanceRefusal.js';
import { authorizeIssuance } from '../authorizeIssuance.js';
import type { GrantTokenIssuer } from '../grantTokenIssuer.js';
import { recordIssuanceInTx } from '../recordIssuanceInTx.js';
import { awsRoleFor } from './awsRoleFor.js';

export interface AwsWebIdentityDeps {
  jit: Pick<JitDeps, 'store' | 'policy' | 'devices' | 'now' | 'options'>;
  issueToken: GrantTokenIssuer;
  /** The JWT's `aud`: `sts.amazonaws.com`, or what an S3-compatible store's STS expects. */
  audience: string;
}

/** STS refuses `DurationSeconds` under 15 minutes; our own cap is one hour. */
const STS_MIN_SECONDS = 900;
const STS_MAX_SECONDS = 3600;
/**
 * The JWT's own life. It only has to reach STS, which the client calls at once; STS never sees the
 * broker's denylist, so a captured token stays good at STS until its `exp` whatever happens to the
 * grant or the person (a lock). The STS session's length is `DurationSeconds`, not this.
 */
export const WEB_IDENTITY_TOKEN_SECONDS = 300;
/** AWS session tags (principal_tags) allow these characters in values, up to 256 of them. */
const tagValue = (v: string): string => v.replace(/[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu, '_').slice(0, 256);

/**
 * `POST /api/v1/credentials/aws-web-identity`: maps the role name to an IAM role through the catalog,
 * authorizes the issue (active grant of the caller's covering the asset, enrolled device, Cedar
 * `read` with the full context) and signs a web-identity JWT for STS `AssumeRoleWithWebIdentity`:
 * `iss` the broker (its JWKS verifies it), `sub` the user, `aud` STS, `exp` five minutes at most
 * (never past the grant's end; `DurationSeconds` carries the session's min(grant end, one hour)),
 * the grant and device by id, and AWS session tags (`https://aws.amazon.com/tags`) so
 * IAM policies and CloudTrail see who, which grant and which device. The issue is recorded in the
 * credential ledger with its audit record in one transaction (ending the grant revokes it there);
 * every refusal is audited with its reason (auditIssuanceRefusal).
 */
export async function issueAwsWebIdentity(
  deps: AwsWebIdentityDeps,
  caller: ApiCaller,
  request: AwsWebIdentityRequest,
): Promise<AwsWebIdentityResponse> {
  const { store } = deps.jit;
  let issued: AwsWebIdentityResponse;
  try {
    const mapping = awsRoleFor(deps.jit.policy.bundle, request.role);
    const decision = await authorizeIssuance(deps.jit, caller, {
      target: mapping.target,
      action: 'read',
      ...(request.grantId === undefined ? {} : { grantId: request.grantId }),
      requestedSeconds: STS_MAX_SECONDS,
    });
    const { grant, deviceId, issuedAt, expiresAt } = decision;
    // STS sessions last at least 15 minutes and cannot be revoked at AWS: issuing closer than
    // that to the grant's end would hand out keys that outlive the grant.
    const left = Math.floor((expiresAt - issuedAt) / 1000);
    if (left < STS_MIN_SECONDS)
      throw new BrokerError(
        'grant_ended',
        `the grant ends in ${Math.max(0, Math.ceil(left / 60))} min, and AWS sessions last at least 15 min, so they would outlive it: request a new grant (strongroom request)`,
      );
    const tokenExpiresAt = Math.min(expiresAt, issuedAt + WEB_IDENTITY_TOKEN_SECONDS * 1000);
    const targetRef = `${mapping.target.type}::${mapping.target.id}`;
    const jwt = await deps.issueToken({
      subject: caller.user.id,
      audience: deps.audience,
      grantIds: [grant.id],
      clientId: caller.clientId,
      issuedAt,
      expiresAt: tokenExpiresAt,
      typ: 'JWT',
      claims: {
        grant_id: grant.id,
        device_id: deviceId,
        target: targetRef,
        'https://aws.amazon.com/tags': {
          principal_tags: {
            'strongroom:user': [tagValue(caller.user.email)],
            'strongroom:grant': [grant.id],
            'strongroom:device': [tagValue(deviceId)],
            'strongroom:target': [tagValue(targetRef)],
          },
          transitive_tag_keys: ['strongroom:user', 'strongroom:grant'],
        },
      },
    });
    const seconds = Math.round((expiresAt - issuedAt) / 1000);
    issued = {
      token: jwt.token,
      roleArn: mapping.roleArn,
      roleSessionName: sessionName(caller.user.email, caller.user.id),
      durationSeconds: Math.min(STS_MAX_SECONDS, Math.max(STS_MIN_SECONDS, seconds)),
      expiresAt: tokenExpiresAt,
      grantId: grant.id,
      grantExpiresAt: grant.expiresAt ?? expiresAt,
      audience: deps.audience,
    };
    await store.transaction(async (tx) => {
      await recordIssuanceInTx(
        tx,
        caller,
        decision,
        deps.jit.now(),
        {
          id: jwt.jti,
          kind: 'aws-web-identity',
          userId: caller.user.id,
          deviceId,
          grantId: grant.id,
          audience: mapping.roleArn,
          serial: null,
          issuedAt,
          expiresAt,
        },
        {
          grantId: grant.id,
          deviceId,
          role: request.role,
          roleArn: mapping.roleArn,
          target: targetRef,
          audience: deps.audience,
          expiresAt,
          tokenExpiresAt,
          bundleHash: decision.bundleHash,
        },
      );
    });
  } catch (error) {
    return auditIssuanceRefusal(
      deps.jit,
      caller,
      'aws-web-identity',
      { role: request.role, ...(request.grantId === undefined ? {} : { grantId: request.grantId }) },
      error,
    );
  }
  return issued;
}

/** `RoleSessionName` ([\w+=,.@-]{2,64}): the user's email, so CloudTrail names the person. */
function sessionName(email: string, userId: string): string {
  const name = email.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
  return name.length >= 2 ? name : `strongroom-${userId}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}
