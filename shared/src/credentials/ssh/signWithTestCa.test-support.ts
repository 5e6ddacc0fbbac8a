import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Tests' SSH CA: the real ssh-keygen signs `publicKeyLine` with the CA key `<dir>/ca` (made by
 * `ssh-keygen -t ed25519 -f <dir>/ca`) and returns the OpenSSH certificate line.
 */
export function signWithTestCa(
  dir: string,
  name: string,
  publicKeyLine: string,
  options: { keyId: string; principals: readonly string[]; validity: string; serial?: string },
): string {
  const pub = join(dir, `${name}.pub`);
  writeFileSync(pub, `${publicKeyLine}\n`);
  execFileSync('ssh-keygen', [
    '-q',
    '-s',
    join(dir, 'ca'),
    '-I',
    options.keyId,
    '-n',
    options.principals.join(','),
    ...(options.serial === undefined ? [] : ['-z', options.serial]),
    '-V',
    options.validity,
    pub,
  ]);
  return readFileSync(join(dir, `${name}-cert.pub`), 'utf8');
}
