import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import type { ApproveRequest } from '@strongroom/shared/protocol/jitApi.js';

/** The validated wire assertion (approveRequestSchema) in the shape @simplewebauthn/server verifies. */
export function assertionOf(body: Pick<ApproveRequest, 'assertion'>): AuthenticationResponseJSON {
  const { assertion: a } = body;
  return {
    id: a.id,
    rawId: a.rawId,
    type: a.type,
    response: {
      clientDataJSON: a.response.clientDataJSON,
      authenticatorData: a.response.authenticatorData,
      signature: a.response.signature,
      ...(a.response.userHandle === undefined ? {} : { userHandle: a.response.userHandle }),
    },
    clientExtensionResults: {},
    ...(a.authenticatorAttachment === undefined
      ? {}
      : { authenticatorAttachment: a.authenticatorAttachment }),
  };
}
