import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ConfigSchema, loadConfig } from '../../../server/src/config.ts';
import { loadWorkerConfig, WORKER_QUEUES } from '../../../workers/src/config.ts';

/*
 * docker-compose.yml is the production recipe, and no Docker engine runs on our machines, so it is
 * checked here by reading it as Compose would: every server and worker environment must be one our
 * config loaders accept (names and values), every queue needs a consumer, and the "cluster" profile
 * must describe one replica set and one Redis Cluster that the servers and workers all point at.
 */

interface Service {
  profiles?: string[];
  image?: string;
  build?: string;
  command?: string[] | string;
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: unknown;
  volumes?: string[];
  hostname?: string;
}
const file = parse(readFileSync(new URL('../../../docker-compose.yml', import.meta.url), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
};
const services = Object.entries(file.services);
const commandOf = (s: Service) => (Array.isArray(s.command) ? s.command.join(' ') : (s.command ?? ''));
const servers = services.filter(([, s]) => commandOf(s).includes('server/src/main.ts'));
const workers = services.filter(([, s]) => commandOf(s).includes('workers/src/main.ts'));
const inCluster = ([, s]: [string, Service]) => s.profiles?.includes('cluster') ?? false;

/** Compose's interpolation with the defaults (`${X:-d}`), and a value for the required ones (`${X:?msg}`). */
function interpolate(env: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env))
    out[k] = String(v).replace(/\$\{(\w+)(?::?([-?])([^}]*))?\}/g, (_, name: string, op?: string, arg?: string) =>
      op === '-' ? (arg ?? '') : name === 'ADMIN_PASSWORD' ? 'a-long-admin-password' : '',
    );
  return out;
}

describe('docker-compose.yml', () => {
  it('has two server and two worker services in the cluster profile beside the single-machine pair', () => {
    expect(servers.map(([n]) => n).sort()).toEqual(['server', 'server-a', 'server-b']);
    expect(workers.filter(inCluster).length).toBeGreaterThanOrEqual(2);
    expect(workers.filter((w) => !inCluster(w)).map(([n]) => n)).toEqual(['workers']);
  });

  it('gives every server an environment the server config accepts, with only names it knows', () => {
    const known = new Set([...Object.keys(ConfigSchema.shape), 'NODE_ENV']);
    for (const [name, s] of servers) {
      const env = interpolate(s.environment ?? {});
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        name,
      ).toEqual([]);
      expect(() => loadConfig(env), name).not.toThrow();
    }
  });

  it('gives every worker an environment the worker config accepts, with only names it knows', () => {
    const known = new Set([...Object.keys(loadWorkerConfig({ MONGO_URL: 'mongodb://m', REDIS_URL: 'redis://r' })), 'NODE_ENV']);
    for (const [name, s] of workers) {
      const env = interpolate(s.environment ?? {});
      expect(
        Object.keys(env).filter((k) => !known.has(k)),
        name,
      ).toEqual([]);
      expect(() => loadWorkerConfig(env), name).not.toThrow();
    }
  });

  it('has a consumer for every queue in the cluster profile (workers split by queue)', () => {
    const consumed = new Set(
      workers.filter(inCluster).flatMap(([, s]) => loadWorkerConfig(interpolate(s.environment ?? {})).WORKER_QUEUES),
    );
    expect([...consumed].sort()).toEqual([...WORKER_QUEUES].sort());
  });

  it('points every cluster-profile server and worker at the one replica set and the one Redis Cluster', () => {
    const mongoNodes = services.filter(([, s]) => inCluster(['', s]) && /^mongod\b/.test(commandOf(s)));
    expect(mongoNodes.length).toBe(3);
    const sets = new Set(mongoNodes.map(([, s]) => /--replSet (\S+)/.exec(commandOf(s))?.[1]));
    expect(sets.size).toBe(1);
    const rs = [...sets][0]!;
    const redisNodes = services.filter(([, s]) => inCluster(['', s]) && commandOf(s).includes('--cluster-enabled yes'));
    expect(redisNodes.length).toBe(6);
    const init = file.services['redis-cluster-init']!;
    const create = /--cluster create ([^;]*?) --cluster-replicas (\d)/.exec(commandOf(init));
    expect(create?.[2]).toBe('1');
    expect(
      create![1]!
        .split(' ')
        .map((h) => h.split(':')[0])
        .sort(),
    ).toEqual(redisNodes.map(([n]) => n).sort());
    for (const [name, s] of [...servers, ...workers].filter(inCluster)) {
      const env = interpolate(s.environment ?? {});
      const mongo = new URL(env.MONGO_URL!.replace(/^mongodb:\/\/([^/]*)/, 'mongodb://placeholder'));
      expect(mongo.searchParams.get('replicaSet'), name).toBe(rs);
      const hosts = /^mongodb:\/\/([^/]*)/
        .exec(env.MONGO_URL!)![1]!
        .split(',')
        .map((h) => h.split(':')[0]);
      expect(hosts.sort(), name).toEqual(mongoNodes.map(([n]) => n).sort());
      expect(env.REDIS_URL, name).toMatch(/^redis-cluster:\/\//);
      for (const seed of env.REDIS_URL!.replace('redis-cluster://', '').split(','))
        expect(
          redisNodes.map(([n]) => n),
          name,
        ).toContain(seed.split(':')[0]);
      expect(Object.keys(s.depends_on ?? {}).sort(), name).toEqual(['mongo-rs-init', 'redis-cluster-init']);
    }
  });

  it('waits only on services that exist, with a health check where it waits for health, and declares every volume', () => {
    for (const [name, s] of services) {
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(file.services[dep], `${name} → ${dep}`).toBeDefined();
        if (condition === 'service_healthy') expect(file.services[dep]!.healthcheck, `${name} → ${dep}`).toBeDefined();
        if (inCluster([name, s])) expect(inCluster([dep, file.services[dep]!]), `${name} → ${dep}`).toBe(true);
      }
      for (const v of s.volumes ?? []) {
        const source = v.split(':')[0]!;
        if (!source.startsWith('.') && !source.startsWith('/')) expect(file.volumes, `${name}: ${source}`).toHaveProperty(source);
      }
    }
  });

  it('runs Redis with the append-only file and noeviction everywhere (BullMQ and the leases need both)', () => {
    for (const [name, s] of services.filter(([, s]) => s.image?.startsWith('redis') && !/redis-cli/.test(commandOf(s)))) {
      expect(commandOf(s), name).toMatch(/--appendonly yes/);
      expect(commandOf(s), name).toMatch(/--maxmemory-policy noeviction/);
    }
  });
});
