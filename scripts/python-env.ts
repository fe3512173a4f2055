/**
 * The project-local Python environment (`.venv` in the checkout) for the places where Python's
 * ecosystem is the real one: model backends speaking Label Studio's ML protocol, and the
 * ecosystem's own readers checking our exports (pycocotools …). Created with `python3 -m venv`
 * and filled from python/requirements.txt; re-installed only when that file changes (a stamp
 * holds its hash). `npx tsx scripts/python-env.ts` prepares it (called by .ci/run).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { repoRoot } from './services.ts';

export const venvDir = path.join(repoRoot, '.venv');
export const venvPython = path.join(venvDir, 'bin', 'python');
const requirements = path.join(repoRoot, 'python', 'requirements.txt');
const stamp = path.join(venvDir, '.requirements.sha256');

function run(cmd: string, args: string[], what: string): void {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}); see the output above`);
}

/** Makes sure `.venv` exists with python/requirements.txt installed; returns its python. Idempotent. */
export function ensurePythonEnv(log: (l: string) => void = (l) => console.error(`[python] ${l}`)): string {
  const want = createHash('sha256').update(readFileSync(requirements)).digest('hex');
  if (existsSync(venvPython) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === want) return venvPython;
  if (!existsSync(venvPython)) {
    log(`creating ${path.relative(repoRoot, venvDir)} with python3 -m venv`);
    run('python3', ['-m', 'venv', venvDir], 'python3 -m venv (on Debian: apt-get install python3-venv)');
  }
  log('installing python/requirements.txt');
  const t = Date.now();
  run(venvPython, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', requirements], 'pip install');
  writeFileSync(stamp, `${want}\n`);
  log(`python environment ready in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  return venvPython;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) ensurePythonEnv();
