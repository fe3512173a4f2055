import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import net from 'node:net';
import { ensureRedisBinary, freePort } from '../../scripts/services.ts';

/** A redis-server of a test's own (AOF on, noeviction) that the test may restart on the same port. */
export interface RedisProcess {
  url: string;
  restart(): Promise<void>;
  stop(): Promise<void>;
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
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir,
    '--appendonly',
    'yes',
    '--appendfsync',
    'everysec',
    '--maxmemory-policy',
    'noeviction',
    '--save',
    '',
    '--daemonize',
    'no',
  ];
  let child: ChildProcess;
  const up = async () => {
    child = spawn(bin, args, { stdio: 'ignore' });
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (Date.now() > deadline) throw new Error('redis-server did not start');
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const down = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  await up();
  return {
    url: `redis://127.0.0.1:${port}`,
    restart: async () => {
      await down();
      await up();
    },
    stop: down,
  };
}
