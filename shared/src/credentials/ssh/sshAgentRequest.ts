import { createConnection } from 'node:net';
import { StrongroomError } from '../../errors/StrongroomError.js';
import { sshUint32 } from './sshWire.js';

/**
 * One request to the ssh-agent at `socketPath`, one reply (draft-miller-ssh-agent §3: uint32
 * length, then the message, whose first byte is its type). Resolves with the reply message.
 */
export function sshAgentRequest(socketPath: string, body: Buffer): Promise<Buffer> {
  const message = Buffer.concat([sshUint32(body.length), body]);
  return new Promise<Buffer>((resolve, reject) => {
    const socket = createConnection(socketPath);
    let received = Buffer.alloc(0);
    const fail = (error: unknown): void => {
      socket.destroy();
      reject(
        new StrongroomError('not_supported', `Could not talk to ssh-agent at ${socketPath}.`, {
          cause: error,
          hint: 'Is it still running? Start one with `eval "$(ssh-agent)"`.',
        }),
      );
    };
    socket.setTimeout(10_000, () => fail(new Error('timed out')));
    socket.once('error', fail);
    socket.once('connect', () => socket.write(message));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4) return;
      const length = received.readUInt32BE(0);
      if (received.length < 4 + length) return;
      socket.end();
      resolve(received.subarray(4, 4 + length));
    });
    socket.once('end', () => {
      if (received.length < 5) fail(new Error('the agent closed the connection'));
    });
  }).finally(() => message.fill(0)); // it may hold a private key
}
