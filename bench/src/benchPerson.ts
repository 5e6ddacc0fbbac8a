import { makeTestDeviceKey, type ApiTestBroker } from '@strongroom/broker/api/apiTestBroker.js';
import { makeSoftAuthenticator } from '@strongroom/broker/webauthn/softAuthenticator.test-support.js';

/**
 * A user of the in-process broker for benchmarks: a member of `role`, with a software security key
 * registered (for approval assertions) and a DPoP-bound access token for a fresh device key.
 */
export async function benchPerson(b: ApiTestBroker, id: string, role: string) {
  const user = await b.newUser({ id, email: `${id}@example.test` });
  await b.store.upsertRole({ name: role, description: role });
  await b.store.addMembership(id, role);
  const authenticator = makeSoftAuthenticator();
  await b.store.addCredential({
    id: authenticator.credentialId,
    userId: id,
    publicKey: authenticator.cosePublicKey,
    counter: 0,
    transports: ['usb'],
    aaguid: '00000000-0000-0000-0000-000000000000',
    backedUp: false,
    createdAt: b.clock.now,
    lastUsedAt: b.clock.now,
  });
  const key = await makeTestDeviceKey();
  const token = await b.issueToken(user, key, { expiresIn: 3600 });
  return { user, key, token, authenticator, counter: 0 };
}
