import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import { ensureRedisBinary, freePort, redisServerArgs } from '../../scripts/services.ts';

/** A redis-server of a test's own (AOF on, noeviction) that the test may restart on the same port. */
export interface RedisProcess {
  url: string;
  restart(): Promise<void>;
  /** SIGKILL: no AOF flush, so up to a second of `everysec` writes may be lost. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data directory (after `kill`). */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Size of the append-only file that takes new writes now (Redis 7: `appendonlydir/*.incr.aof`). */
  aofSize(): number;
  /**
   * Cuts that file back to `size` bytes: the writes after it are gone, as after an OS crash with
   * `appendfsync everysec` (up to a second of writes never reached the disk). Only while stopped.
   */
  truncateAof(size: number): void;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
    setTimeout(() => done(false), 500);
  });
}

export async function startRedis(dir: string): Promise<RedisProcess> {
  mkdirSync(dir, { recursive: true });
  const bin = ensureRedisBinary(() => undefined);
  const port = await freePort();
  const args = redisServerArgs(port, dir);
  let child: ChildProcess;
  const up = async () => {
    child = spawn(bin, args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const down = (signal: NodeJS.Signals = 'SIGTERM') =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill(signal);
    });
  const incr = () => {
    const d = path.join(dir, 'appendonlydir');
    const files = readdirSync(d).filter((f) => f.endsWith('.incr.aof'));
    files.sort((a, b) => Number(a.split('.').at(-3)) - Number(b.split('.').at(-3)));
    if (!files.length) throw new Error('no incremental AOF file');
    return path.join(d, files.at(-1)!);
  };
  await up();
  return {
    aofSize: () => statSync(incr()).size,
    truncateAof: (size: number) => {
      if (child.exitCode === null && child.signalCode === null) throw new Error('truncateAof while redis-server runs');
      truncateSync(incr(), size);
    },
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await down();
      await up();
    },
    kill: () => down('SIGKILL'),
    start: up,
    stop: () => down(),
  };
}
