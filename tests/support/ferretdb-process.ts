import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { MongoClient } from 'mongodb';
import { ensureFerretdbBinary, ferretdbEnv, freePort } from '../../scripts/services.ts';

/** A FerretDB (SQLite backend) of a test's own, which the test may SIGKILL and start again on the same port and data. */
export interface FerretProcess {
  url: string;
  /** SIGKILL: connections drop, nothing is flushed beyond what SQLite already committed. */
  kill(): Promise<void>;
  /** Starts it again (same port and data directory) and waits until it answers a ping. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function ping(url: string): Promise<boolean> {
  const c = new MongoClient(url, { serverSelectionTimeoutMS: 500, directConnection: true });
  try {
    await c.connect();
    return (await c.db('admin').command({ ping: 1 })).ok === 1;
  } catch {
    return false;
  } finally {
    await c.close().catch(() => undefined);
  }
}

export async function startFerretdb(dir: string): Promise<FerretProcess> {
  const sqlite = path.join(dir, 'sqlite');
  mkdirSync(sqlite, { recursive: true });
  const bin = ensureFerretdbBinary(() => undefined);
  const port = await freePort();
  const url = `mongodb://127.0.0.1:${port}/?directConnection=true`;
  let child: ChildProcess | null = null;
  const start = async () => {
    const c = spawn(bin, [`--listen-addr=127.0.0.1:${port}`, `--sqlite-url=file:${sqlite}/`, '--log-level=warn'], {
      stdio: 'ignore',
      env: ferretdbEnv(),
    });
    child = c;
    const deadline = Date.now() + 30_000;
    while (!(await ping(url))) {
      if (c.exitCode !== null) throw new Error(`ferretdb exited (${c.exitCode})`);
      if (Date.now() > deadline) throw new Error('ferretdb did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const down = (signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c || c.exitCode !== null || c.signalCode !== null) return resolve();
      c.once('exit', () => resolve());
      c.kill(signal);
    });
  await start();
  return { url, start, kill: () => down('SIGKILL'), stop: () => down('SIGTERM') };
}
