import { Cluster, Redis, type ClusterNode, type ClusterOptions } from 'ioredis';
import type Command from 'ioredis/built/Command.js';

/**
 * The one Redis connection factory of server and workers. `REDIS_URL` says which deployment:
 * - `redis://[user:password@]host:port[/db]` (or `rediss://`): one Redis server;
 * - `redis-cluster://[user:password@]host:port,host:port,…` (or `rediss-cluster://`): a Redis
 *   Cluster, the hosts being seed nodes (a few are enough; the client learns the rest).
 * Every key family that scripts or pipelines touch together carries a hash tag (`{projectId}`,
 * `{quality}`, …), so everything built on this client works on both.
 */
export type RedisClient = Redis;
// Typed as ioredis' `Redis`, as server and workers have always held it. On a cluster the object is an
// ioredis `Cluster`: the same command methods (both are ioredis Commanders — get, eval, pipeline,
// xreadgroup, …), routed by key slot. What differs goes through this file: a second connection
// (duplicateRedisClient), commands every node must answer (configOnEveryNode), isRedisCluster.

export interface ClusterTarget {
  nodes: { host: string; port: number }[];
  username?: string;
  password?: string;
  tls: boolean;
}

const CLUSTER_URL = /^(rediss?)-cluster:\/\/(?:([^:@/]*)(?::([^@/]*))?@)?([^/?#]+)\/?$/;

export function isClusterUrl(url: string): boolean {
  return /^rediss?-cluster:\/\//.test(url);
}

/** The seed nodes and credentials of a `redis-cluster://` URL; throws on a malformed one. */
export function parseClusterUrl(url: string): ClusterTarget {
  const m = CLUSTER_URL.exec(url);
  if (!m) throw new Error('REDIS_URL: a cluster URL is redis-cluster://[user:password@]host:port,host:port,…');
  const nodes = m[4]!.split(',').map((hp) => {
    const i = hp.lastIndexOf(':');
    const port = Number(hp.slice(i + 1));
    if (i <= 0 || !Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`REDIS_URL: "${hp}" is not host:port`);
    return { host: hp.slice(0, i), port };
  });
  return {
    nodes,
    ...(m[2] ? { username: decodeURIComponent(m[2]) } : {}),
    ...(m[3] ? { password: decodeURIComponent(m[3]) } : {}),
    tls: m[1] === 'rediss',
  };
}

export interface RedisClientOptions {
  /** Shown by CLIENT LIST (`connectionName`). */
  name: string;
  /** A subscriber for sharded pub/sub (SSUBSCRIBE): on a cluster, one subscriber connection per master. */
  shardedSubscriber?: boolean;
}

/**
 * A connection for `url` (see the module comment). Commands wait through reconnects and, on a
 * cluster, through a failover (`maxRetriesPerRequest: null`, as BullMQ requires; retried after
 * MOVED/TRYAGAIN/CLUSTERDOWN until a replica has taken over).
 */
export function createRedisClient(url: string, opts: RedisClientOptions): RedisClient {
  if (!isClusterUrl(url)) {
    return new Redis(url, { connectionName: opts.name, maxRetriesPerRequest: null, enableReadyCheck: true });
  }
  const t = parseClusterUrl(url);
  const cluster = new ClosableCluster(t.nodes, {
    redisOptions: {
      connectionName: opts.name,
      maxRetriesPerRequest: null,
      ...(t.username ? { username: t.username } : {}),
      ...(t.password ? { password: t.password } : {}),
      ...(t.tls ? { tls: {} } : {}),
    },
    enableReadyCheck: true,
    // Reads go to masters: leases and sessions must read what was just written.
    scaleReads: 'master',
    shardedSubscribers: opts.shardedSubscriber ?? false,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    // A failover takes cluster-node-timeout plus an election; keep redirecting meanwhile.
    maxRedirections: 64,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
  });
  return cluster as unknown as Redis;
}

/**
 * An ioredis Cluster whose commands fail once it is closed. A plain Cluster, after disconnect(),
 * goes from "end" back to "close" and then queues new commands forever (ioredis 5.9): a stream
 * reader acknowledging its last batch while its process shuts down would never finish.
 */
class ClosableCluster extends Cluster {
  private closed = false;
  constructor(
    private readonly seeds: ClusterNode[],
    private readonly clusterOptions: ClusterOptions,
  ) {
    super(seeds, clusterOptions);
  }
  override disconnect(reconnect = false): void {
    if (!reconnect) this.closed = true;
    super.disconnect(reconnect);
  }
  override quit(callback?: (err?: Error | null, res?: 'OK') => void): Promise<'OK'> {
    this.closed = true;
    return super.quit(callback);
  }
  override sendCommand(command: Command, stream?: Parameters<Cluster['sendCommand']>[1], node?: unknown): unknown {
    if (this.closed) {
      command.reject(new Error('Connection is closed.'));
      return command.promise;
    }
    return super.sendCommand(command, stream, node);
  }
  /** Another connection with the same nodes and options (a new name). */
  another(name: string): ClosableCluster {
    const redisOptions = { ...this.clusterOptions.redisOptions, connectionName: name };
    return new ClosableCluster(this.seeds, { ...this.clusterOptions, redisOptions });
  }
}

/** A second connection to the same Redis (a blocking reader or a subscriber must have its own). */
export function duplicateRedisClient(client: RedisClient, name: string): RedisClient {
  const c: unknown = client;
  if (c instanceof ClosableCluster) return c.another(name) as unknown as Redis;
  if (c instanceof Cluster) {
    return c.duplicate(undefined, { redisOptions: { ...c.options.redisOptions, connectionName: name } }) as unknown as Redis;
  }
  return client.duplicate({ connectionName: name });
}

export function isRedisCluster(client: RedisClient): boolean {
  return (client as unknown) instanceof Cluster;
}

/**
 * CONFIG GET on every server behind the client (each master and replica of a cluster), for checks
 * such as the eviction policy that must hold on all of them.
 */
export async function configOnEveryNode(client: RedisClient, parameter: string): Promise<string[]> {
  const c: unknown = client;
  const servers = c instanceof Cluster ? c.nodes('all') : [client];
  return Promise.all(
    servers.map(async (s) => {
      const r = (await s.config('GET', parameter)) as string[];
      return r[1] ?? 'unknown';
    }),
  );
}

/** Redis's replies while a cluster fails over, a server loads its data or a replica has lost its master. */
const TRANSIENT_REPLY = /^(CLUSTERDOWN|TRYAGAIN|LOADING|MASTERDOWN|READONLY|BUSY) /;
/** ioredis's own errors when no node answers (a cluster mid-failover, a Redis going down). */
const CLIENT_GAVE_UP =
  /^(Too many Cluster redirections|None of startup nodes is available|Failed to refresh slots cache|Connection is closed\.)/;

/**
 * Redis could not serve the command right now (failing over, loading, restarting, unreachable): the
 * same request may succeed in a moment, so callers answer 503 rather than 500. A reply that refuses
 * the command itself (WRONGTYPE, a script's own error) is not this.
 */
export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'MaxRetriesPerRequestError' || err.name === 'ClusterAllFailedError') return true;
  return TRANSIENT_REPLY.test(err.message) || CLIENT_GAVE_UP.test(err.message);
}
