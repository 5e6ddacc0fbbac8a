import { z } from 'zod';
import type { PostureCheck, PostureCheckContext } from './PostureCheck.js';
import { failed, passed, unknown, type PostureFinding } from './PostureFinding.js';
import { describeExecFailure } from './describeExecFailure.js';
import { mountpointsOf, parseLsblkTree, type LsblkNode, type LsblkPlacement } from './lsblkTree.js';
import { parseJson } from './parseJson.js';

const expected = 'the block device holding the home directory sits on a dm-crypt/LUKS layer';
const fixEncrypt =
  'Encrypt the disk that holds your home directory with LUKS (reinstall with full-disk encryption, or `cryptsetup reencrypt --encrypt`).';
const fixUtilLinux = 'Install util-linux (findmnt, lsblk) so the encryption of the home volume can be read.';

const findmntSchema = z.object({
  filesystems: z.array(z.object({ target: z.string(), source: z.string(), fstype: z.string() })).min(1),
});

// Filesystems with no local block device under them: whether their data is encrypted at rest is
// decided elsewhere (a file server, RAM and swap), so the honest answer is unknown.
const notBlockBacked = /^(nfs4?|cifs|smb3|fuse\..*|tmpfs|overlay|9p|virtiofs|ceph|glusterfs|afs)$/;

async function zfsEncryption(
  context: PostureCheckContext,
  dataset: string,
  home: string,
): Promise<PostureFinding> {
  const zfs = await context.host.exec('zfs', ['get', '-H', '-o', 'value', 'encryption,keystatus', dataset], {
    timeoutMs: context.options.checkTimeoutMs,
  });
  const failure = describeExecFailure('zfs get encryption', zfs);
  if (failure)
    return unknown(
      `${home} is on ZFS dataset ${dataset}; ${failure}`,
      expected,
      'Install zfsutils so ZFS encryption can be read.',
    );
  const [encryption = '', keystatus = ''] = zfs.stdout.trim().split(/\r?\n/);
  if (encryption === 'off')
    return failed(`${home} is on ZFS dataset ${dataset} without encryption`, expected, fixEncrypt);
  if (/^aes-\d+-(gcm|ccm)$/.test(encryption) || encryption === 'on') {
    return passed(
      `${home} is on ZFS dataset ${dataset} encrypted with ${encryption} (key ${keystatus})`,
      expected,
    );
  }
  return unknown(
    `${home} is on ZFS dataset ${dataset}; unrecognised encryption value "${encryption}"`,
    expected,
    fixEncrypt,
  );
}

function describeChain(placement: LsblkPlacement): string {
  return [placement.node, ...placement.ancestors]
    .map((device: LsblkNode) => `${device.name} (${device.type})`)
    .join(' on ');
}

async function readLsblk(context: PostureCheckContext) {
  const run = (column: string) =>
    context.host.exec('lsblk', ['-J', '-o', `NAME,TYPE,FSTYPE,${column},PKNAME`], {
      timeoutMs: context.options.checkTimeoutMs,
    });
  const modern = await run('MOUNTPOINTS');
  // util-linux before 2.37 has only MOUNTPOINT (one mount per device).
  if (modern.exitCode !== 0 && /unknown column/i.test(modern.stderr)) return run('MOUNTPOINT');
  return modern;
}

export const checkDiskEncryptionLinux: PostureCheck = {
  id: 'disk_encryption',
  async run(context) {
    const home = context.host.homeDir;
    // lsblk starts alongside findmnt: one process start less on the critical path of every run.
    const lsblkPending = readLsblk(context);
    const findmnt = await context.host.exec('findmnt', ['-J', '-T', home, '-o', 'TARGET,SOURCE,FSTYPE'], {
      timeoutMs: context.options.checkTimeoutMs,
    });
    const findmntFailure = describeExecFailure('findmnt', findmnt);
    if (findmntFailure) return unknown(findmntFailure, expected, fixUtilLinux);
    const mount = parseJson(findmntSchema, findmnt.stdout)?.filesystems[0];
    if (!mount) return unknown('findmnt: output not understood', expected, fixUtilLinux);

    // btrfs sources name the subvolume: `/dev/mapper/luks-…[/@home]`.
    const source = mount.source.replace(/\[.*\]$/, '');
    if (mount.fstype === 'ecryptfs') return passed(`${home} is an eCryptfs mount (${source})`, expected);
    if (mount.fstype === 'zfs') return zfsEncryption(context, source, home);
    if (notBlockBacked.test(mount.fstype)) {
      return unknown(
        `${home} is on a ${mount.fstype} filesystem (${source}), not a local block device`,
        expected,
        fixEncrypt,
      );
    }

    const lsblk = await lsblkPending;
    const lsblkFailure = describeExecFailure('lsblk', lsblk);
    if (lsblkFailure) return unknown(lsblkFailure, expected, fixUtilLinux);
    const placements = parseLsblkTree(lsblk.stdout);
    if (!placements) return unknown('lsblk: output not understood', expected, fixUtilLinux);

    // Only the device mounted where the home directory lives counts: an encrypted loop device or a
    // second, encrypted disk elsewhere says nothing about where the user's files are.
    const sourceName = source.replace(/^\/dev\/(mapper\/)?/, '');
    let holding = placements.filter((placement) => mountpointsOf(placement.node).includes(mount.target));
    if (holding.length === 0) holding = placements.filter((placement) => placement.node.name === sourceName);
    if (holding.length === 0) {
      return unknown(
        `${home} is on ${source} (mounted at ${mount.target}), which lsblk does not list`,
        expected,
        fixEncrypt,
      );
    }
    const isCrypt = (device: LsblkNode) => device.type === 'crypt';
    const plain = holding.find((placement) => ![placement.node, ...placement.ancestors].some(isCrypt));
    if (plain) return failed(`${home} is on ${describeChain(plain)}: no crypt layer`, expected, fixEncrypt);
    return passed(`${home} is on ${holding.map(describeChain).join('; ')}`, expected);
  },
};
