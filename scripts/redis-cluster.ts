/**
 * A local Redis Cluster from Debian's `redis-server`: three masters and three replicas on loopback
 * ports, each with its own data directory (`<dir>/redis-cluster/node-<i>`, append-only file with
 * `appendfsync everysec`), joined with `redis-cli --cluster create … --cluster-replicas 1`. Used by
 * `npm run services -- --redis-cluster`, by tests (LW_TEST_REDIS_CLUSTER=1) and by bench:scale.
 * The ports are kept in `<dir>/redis-cluster/ports.json`, so a restart over the same data directory
 * brings the same cluster back (its nodes.conf files name the ports).
 */
import { execFile, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensureRedisBinary, freePort, killStale, redisServerArgs, spawnLogged, stopChild, waitFor } from './services.ts';

const run = promisify(execFile);

export interface ClusterNode {
  port: number;
  /** `127.0.0.1:<port>` */
  address: string;
  child: ChildProcess;
  /** SIGKILL the node (failover tests); `stop` skips it afterwards. */
  kill(): Promise<void>;
}

export interface RedisCluster {
  nodes: ClusterNode[];
  /** Seed list for REDIS_URL: `redis-cluster://127.0.0.1:7000,127.0.0.1:7001,…`. */
  url: string;
  /** `host:port,host:port,…` of every node. */
  nodeList: string;
  /** Ports of the nodes that are masters now (asked of a live node). */
  masters(): Promise<number[]>;
  /** The node that is master of `key`'s slot now. */
  masterOf(key: string): Promise<ClusterNode>;
  /** Resolves when every live node reports `cluster_state:ok` and every slot has a live master. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  /** Parent data directory: the nodes live in `<dir>/redis-cluster`. */
  dir: string;
  /** How long a master may be unreachable before its replica takes over (Redis `cluster-node-timeout`). */
  nodeTimeoutMs?: number;
  log?: (line: string) => void;
}

/** `redis-cli` with arguments; resolves with its standard output. */
export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const r = await run('redis-cli', ['-h', '127.0.0.1', '-p', String(port), ...args], { timeout: 10_000 });
  return r.stdout;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Ports from an earlier run over this directory, when all of them (and their bus ports) are still free. */
async function reusablePorts(file: string): Promise<{ ports: number[]; bus: number[] } | null> {
  if (!existsSync(file)) return null;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { ports: number[]; bus: number[] };
    for (const p of [...saved.ports, ...saved.bus]) if (!(await portFree(p))) return null;
    return saved;
  } catch {
    return null;
  }
}

async function clusterInfo(port: number): Promise<Record<string, string>> {
  const out = await redisCli(port, 'cluster', 'info');
  return Object.fromEntries(out.split(/\r?\n/).map((l) => l.split(':') as [string, string]));
}

/** Starts six cluster-enabled redis-servers and creates the cluster (unless their nodes.conf already holds one). */
export async function startRedisCluster(opts: ClusterOptions): Promise<RedisCluster> {
  const log = opts.log ?? ((l: string) => console.error(`[services] ${l}`));
  const bin = ensureRedisBinary(log);
  const root = path.join(path.resolve(opts.dir), 'redis-cluster');
  mkdirSync(root, { recursive: true });
  const portsFile = path.join(root, 'ports.json');
  let saved = await reusablePorts(portsFile);
  const fresh = !saved;
  if (!saved) {
    const ports: number[] = [];
    const bus: number[] = [];
    while (ports.length < 12) {
      const p = await freePort();
      if (!ports.includes(p)) ports.push(p);
    }
    bus.push(...ports.splice(6));
    saved = { ports, bus };
  }
  const { ports, bus } = saved;
  const nodes: ClusterNode[] = [];
  const stopped = new Set<number>();
  const stop = async () => {
    await Promise.all(
      nodes.map((n, i) => (stopped.has(n.port) ? Promise.resolve() : stopChild(n.child, path.join(root, `node-${i}`, 'launcher.pid')))),
    );
  };
  try {
    for (let i = 0; i < 6; i++) {
      const ndir = path.join(root, `node-${i}`);
      const pidFile = path.join(ndir, 'launcher.pid');
      killStale(pidFile);
      // A new cluster: nodes.conf/AOF of an old one (other ports) would name nodes that no longer exist.
      if (fresh) rmSync(ndir, { recursive: true, force: true });
      mkdirSync(ndir, { recursive: true });
      const port = ports[i]!;
      const child = spawnLogged(
        bin,
        redisServerArgs(port, ndir, [
          '--cluster-port',
          String(bus[i]),
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          'nodes.conf',
          '--cluster-node-timeout',
          String(opts.nodeTimeoutMs ?? 2000),
          // The slots of a failing master wait for its replica; the other masters keep serving.
          '--cluster-require-full-coverage',
          'no',
        ]),
        path.join(ndir, 'redis.log'),
      );
      writeFileSync(pidFile, String(child.pid));
      const exited = new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) resolve();
        else child.once('exit', () => resolve());
      });
      nodes.push({
        port,
        address: `127.0.0.1:${port}`,
        child,
        kill: async () => {
          stopped.add(port);
          child.kill('SIGKILL');
          await exited;
        },
      });
    }
    writeFileSync(portsFile, JSON.stringify({ ports, bus }));
    for (const n of nodes)
      await waitFor('redis-server (cluster node)', async () => (await redisCli(n.port, 'ping')).trim() === 'PONG', n.child, 20_000);
    const known = Number((await clusterInfo(ports[0]!)).cluster_known_nodes ?? 0);
    if (known < 6) {
      await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => n.address), '--cluster-replicas', '1', '--cluster-yes'], {
        timeout: 60_000,
      });
    }
    const cluster: RedisCluster = {
      nodes,
      nodeList: nodes.map((n) => n.address).join(','),
      url: `redis-cluster://${nodes.map((n) => n.address).join(',')}`,
      async masters() {
        for (const n of nodes) {
          if (stopped.has(n.port)) continue;
          try {
            const out = await redisCli(n.port, 'cluster', 'nodes');
            return out
              .split('\n')
              .filter((l) => / master/.test(l) && !/fail/.test(l.split(' ')[2] ?? ''))
              .map((l) => Number(/:(\d+)@/.exec(l)?.[1]));
          } catch {
            // try the next node
          }
        }
        throw new Error('no live cluster node answered');
      },
      async masterOf(key) {
        const live = nodes.find((n) => !stopped.has(n.port));
        if (!live) throw new Error('no live cluster node');
        const slot = Number((await redisCli(live.port, 'cluster', 'keyslot', key)).trim());
        for (const line of (await redisCli(live.port, 'cluster', 'nodes')).split('\n')) {
          const f = line.split(' ');
          if (!/master/.test(f[2] ?? '') || /fail/.test(f[2] ?? '')) continue;
          const owns = f.slice(8).some((r) => {
            const [a, b] = r.split('-').map(Number) as [number, number | undefined];
            return slot >= a && slot <= (b ?? a);
          });
          const port = Number(/:(\d+)@/.exec(f[1] ?? '')?.[1]);
          const node = nodes.find((n) => n.port === port);
          if (owns && node) return node;
        }
        throw new Error(`no master serves the slot of ${key}`);
      },
      async waitHealthy(timeoutMs = 60_000) {
        await waitFor(
          'redis cluster (cluster_state:ok on every node, replicas in sync)',
          async () => {
            for (const n of nodes) {
              if (stopped.has(n.port)) continue;
              const info = await clusterInfo(n.port);
              if (info.cluster_state !== 'ok' || info.cluster_slots_ok !== '16384') return false;
              const repl = await redisCli(n.port, 'info', 'replication');
              // A replica must have its initial copy before a failover test may take its master away.
              if (/role:slave/.test(repl) && !/master_link_status:up/.test(repl)) return false;
            }
            return true;
          },
          null,
          timeoutMs,
        );
      },
      stop,
    };
    await cluster.waitHealthy();
    log(`redis cluster up: ${cluster.nodeList} (data under ${root})`);
    return cluster;
  } catch (e) {
    await stop();
    throw e;
  }
}
