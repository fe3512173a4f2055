import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCRATCH_ROOT, scratchDir, sweepDeadScratch } from '../../workers/src/infra/scratch.ts';

const base = mkdtempSync(path.join(tmpdir(), 'scratch-test-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A pid that no process has now: a child that has exited (and been reaped). */
async function deadPid(): Promise<number> {
  const c = spawn(process.execPath, ['-e', '0']);
  await new Promise((r) => c.once('exit', r));
  return c.pid!;
}

function leftBehind(dirName: string): string {
  const dir = path.join(base, SCRATCH_ROOT, dirName, 'export-abc');
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'p0'), 'x'.repeat(1000));
  return path.join(base, SCRATCH_ROOT, dirName);
}

describe('workers’ scratch directories', () => {
  // First in the file: the process must not have written a scratch file yet.
  it('at a worker’s start, also removes what a dead worker left under the same pid (a restarted container), until this process writes there', async () => {
    const base2 = path.join(base, 'restart');
    const own = path.join(base2, SCRATCH_ROOT, `${hostname()}~${process.pid}`);
    const leave = () => {
      mkdirSync(path.join(own, 'export-old'), { recursive: true });
      writeFileSync(path.join(own, 'export-old', 'p0'), 'x'.repeat(1000));
    };
    leave();
    // The periodic sweep leaves a running process's own directory alone…
    expect(await sweepDeadScratch(base2)).toEqual([]);
    expect(existsSync(own)).toBe(true);
    // …the one at start removes it: nothing in it is this process's yet.
    expect(await sweepDeadScratch(base2, { atStart: true })).toEqual([path.basename(own)]);
    expect(existsSync(own)).toBe(false);
    // Once this process has a job's directory there, a second worker app starting in it (as tests run them) keeps it.
    const job = await scratchDir('export-coco', base2);
    leave();
    expect(await sweepDeadScratch(base2, { atStart: true })).toEqual([]);
    expect(existsSync(job)).toBe(true);
  });

  it('gives each job its own directory under this process’s', async () => {
    const a = await scratchDir('export-coco', base);
    const b = await scratchDir('export-coco', base);
    expect(a).not.toBe(b);
    expect(path.dirname(a)).toBe(path.join(base, SCRATCH_ROOT, `${hostname()}~${process.pid}`));
    expect(path.basename(a).startsWith('export-coco-')).toBe(true);
  });

  it('removes the directories of this host’s dead processes only', async () => {
    const live = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const dead = leftBehind(`${hostname()}~${await deadPid()}`);
      const otherHost = leftBehind(`some-other-host~${await deadPid()}`);
      const running = leftBehind(`${hostname()}~${live.pid}`);
      const own = await scratchDir('tiles', base);
      const unrelated = path.join(base, SCRATCH_ROOT, 'not-a-scratch-dir');
      mkdirSync(unrelated);
      const removed = await sweepDeadScratch(base);
      expect(removed).toEqual([path.basename(dead)]);
      expect(existsSync(dead)).toBe(false);
      for (const kept of [otherHost, running, own, unrelated]) expect(existsSync(kept)).toBe(true);
      expect(readdirSync(path.join(base, SCRATCH_ROOT)).length).toBe(4);
    } finally {
      live.kill('SIGKILL');
    }
  });

  it('has nothing to do when no worker ever wrote scratch files here', async () => {
    expect(await sweepDeadScratch(path.join(base, 'empty'))).toEqual([]);
  });
});
