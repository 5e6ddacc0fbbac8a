import type { PostureCheckContext } from './PostureCheck.js';

export interface LinuxProcess {
  readonly pid: number;
  /** The kernel's name for it (`/proc/<pid>/comm`), cut to 15 characters. */
  readonly comm: string;
  /** argv[0] as started (`/proc/<pid>/cmdline`), often the full path; empty for kernel threads. */
  readonly argv0: string;
}

export type LinuxProcessList =
  | { readonly ok: true; readonly processes: readonly LinuxProcess[] }
  | { readonly ok: false; readonly detail: string };

const decoder = new TextDecoder();

// Two checks (screen lock, endpoint protection) need the process table; one run reads it once.
const perRun = new WeakMap<PostureCheckContext, Promise<LinuxProcessList>>();

/**
 * Every process visible in /proc, read once per posture run (per context). Processes that exit while
 * being read are skipped, not errors.
 */
export function listLinuxProcesses(context: PostureCheckContext): Promise<LinuxProcessList> {
  let list = perRun.get(context);
  if (!list) {
    list = readProcesses(context);
    perRun.set(context, list);
  }
  return list;
}

async function readProcesses({ host }: PostureCheckContext): Promise<LinuxProcessList> {
  const proc = await host.readDir('/proc');
  if (!proc.ok) return { ok: false, detail: `/proc: ${proc.detail}` };
  const pids = proc.entries.filter((entry) => /^\d+$/.test(entry));
  const processes = await Promise.all(
    pids.map(async (pid): Promise<LinuxProcess | undefined> => {
      const [comm, cmdline] = await Promise.all([
        host.readFile(`/proc/${pid}/comm`),
        host.readFile(`/proc/${pid}/cmdline`),
      ]);
      if (!comm.ok) return undefined;
      const argv0 = cmdline.ok ? (decoder.decode(cmdline.data).split('\0')[0] ?? '') : '';
      return { pid: Number(pid), comm: decoder.decode(comm.data).trim(), argv0 };
    }),
  );
  return { ok: true, processes: processes.filter((process) => process !== undefined) };
}
