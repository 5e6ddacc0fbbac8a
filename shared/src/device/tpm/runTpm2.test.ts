import { describe, expect, it } from 'vitest';
import { StrongroomError } from '../../errors/StrongroomError.js';
import { runTpmSequence } from './runTpm2.js';

describe('runTpmSequence', () => {
  it('a tool that fails before reading its input is a refusal, not a crash of the process', async () => {
    // tpm2_sign with an unreachable TPM exits before it reads the digest on stdin, so the write to
    // its closed pipe fails (EPIPE). In use the input is a 32-byte digest, which the pipe buffer
    // usually takes before the tool exits; under load the tool can exit first. An input larger
    // than the pipe buffer makes that race certain. Unhandled, the EPIPE would be an uncaught
    // 'error' event that kills the agent (or whatever process signs).
    const error = await runTpmSequence('swtpm:host=127.0.0.1,port=1', [
      {
        tool: 'tpm2_sign',
        args: ['-c', '/nonexistent/key.ctx', '-g', 'sha256', '-s', 'ecdsa', '-d', '-o', '/dev/null'],
        input: new Uint8Array(1 << 20),
      },
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StrongroomError);
    expect((error as StrongroomError).code).toBe('device_key_unavailable');
    // The process is still here and the queue still runs the next sequence.
    const next = await runTpmSequence('swtpm:host=127.0.0.1,port=1', [
      {
        tool: 'tpm2_sign',
        args: ['-c', '/nonexistent/key.ctx', '-d', '-o', '/dev/null'],
        input: new Uint8Array(32),
      },
    ]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect((next as StrongroomError).code).toBe('device_key_unavailable');
  });
});
