/**
 * The reference model backends (python/backends), real model servers speaking Label Studio's ML
 * protocol: `pedestrians` (OpenCV's HOG people detector) and `chinese_ner` (jieba's name tags).
 * Started by the launcher (`npm start -- --ml-backends`) and by the tests, in the project's Python
 * environment (scripts/python-env.ts). `npx tsx scripts/ml-backends.ts [port]` runs both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePythonEnv } from './python-env.ts';
import { repoRoot } from './services.ts';

export const REFERENCE_BACKENDS = ['pedestrians', 'chinese_ner'] as const;
export type ReferenceBackend = (typeof REFERENCE_BACKENDS)[number];

export interface BackendProc {
  name: string;
  url: string;
  proc: ChildProcess;
  output(): string;
  /** SIGKILL, no cleanup (a backend dying mid-run). */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a Python backend script (a reference one by name, or a path) on 127.0.0.1:`port` (0 = a free
 * port) and resolves once it prints `listening on <url>`.
 */
export async function startPythonBackend(
  script: ReferenceBackend | string,
  opts: { port?: number; env?: Record<string, string>; timeoutMs?: number } = {},
): Promise<BackendProc> {
  const python = ensurePythonEnv();
  const file = script.includes('/') ? script : path.join(repoRoot, 'python', 'backends', `${script}.py`);
  const proc = spawn(python, ['-u', file, '--host', '127.0.0.1', '--port', String(opts.port ?? 0)], {
    cwd: repoRoot,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start in time:\n${out}`)), opts.timeoutMs ?? 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before listening:\n${out}`));
    });
  });
  const end = async (signal: NodeJS.Signals) => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill(signal);
      await exited;
    }
  };
  return { name: path.basename(file, '.py'), url, proc, output: () => out, kill: () => end('SIGKILL'), stop: () => end('SIGTERM') };
}

async function main(): Promise<void> {
  const base = Number(process.argv[2] ?? 9090);
  const procs = await Promise.all(REFERENCE_BACKENDS.map((name, i) => startPythonBackend(name, { port: base + i })));
  for (const p of procs) console.error(`[ml] ${p.name} on ${p.url}`);
  const stop = () => void Promise.all(procs.map((p) => p.stop())).then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(`[ml] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
