import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * The workers' temporary files (an export's part files, the annotations spilled for it, a tile
 * pyramid being cut) live in one directory per process: `<tmp>/labelwork-scratch/<host>~<pid>/`.
 * A job removes its own directory when it ends, but a worker that is SIGKILLed or runs out of memory
 * mid-job cannot, and at 1M boxes an export's parts are gigabytes. So each worker, when it starts
 * (and every cleanup run), removes the directories of this host's processes that are gone. Another
 * host's directories are left alone (a shared /tmp would make its pids meaningless here); a pid that
 * was reused by an unrelated process keeps its directory until that process ends too. A starting
 * worker also empties the directory under its own pid: a restarted container keeps its host name
 * and its /tmp, and its new worker often gets the dead one's pid.
 */
export const SCRATCH_ROOT = 'labelwork-scratch';

const sep = '~';
const ownName = () => `${hostname()}${sep}${process.pid}`;
const root = (base: string) => join(base, SCRATCH_ROOT);

/**
 * Whether this process may still take the directory under its own pid for a dead one's: only until
 * it writes there itself (a second worker app in the same process, as tests run them, must not
 * sweep the first one's files).
 */
let ownDirUntouched = true;

/** A new, empty directory for one job's temporary files, under this process's scratch directory. */
export async function scratchDir(kind: string, base = tmpdir()): Promise<string> {
  ownDirUntouched = false;
  const own = join(root(base), ownName());
  await mkdir(own, { recursive: true, mode: 0o700 });
  return mkdtemp(join(own, `${kind}-`));
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it exists, owned by someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Removes the scratch directories of this host's processes that no longer run; returns their names.
 * `atStart`: a worker app starting; as long as this process has written no scratch file yet, a
 * directory under its own pid is a dead one's, and is removed too.
 */
export async function sweepDeadScratch(base = tmpdir(), opts: { atStart?: boolean } = {}): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(root(base));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  const host = hostname();
  const removed: string[] = [];
  for (const name of names) {
    const at = name.lastIndexOf(sep);
    if (at < 0 || name.slice(0, at) !== host) continue;
    const pid = Number(name.slice(at + 1));
    if (!Number.isSafeInteger(pid) || pid <= 0) continue;
    if (pid === process.pid ? !(opts.atStart && ownDirUntouched) : alive(pid)) continue;
    await rm(join(root(base), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
