import { describe, expect, it } from 'vitest';
import { isClusterUrl, parseClusterUrl } from '@labelwork/engine';
import { loadConfig } from '../../server/src/config.ts';
import { loadWorkerConfig } from '../../workers/src/config.ts';

/** The settings of a scaled-out deployment: Redis Cluster URLs, MongoDB write concern and read preference, workers by queue. */
describe('scale-out configuration', () => {
  it('reads a redis-cluster:// URL as seed nodes with credentials and TLS, and refuses a malformed one', () => {
    expect(isClusterUrl('redis://127.0.0.1:6379')).toBe(false);
    expect(isClusterUrl('redis-cluster://127.0.0.1:7000')).toBe(true);
    expect(parseClusterUrl('redis-cluster://10.0.0.1:7000,10.0.0.2:7001')).toEqual({
      nodes: [
        { host: '10.0.0.1', port: 7000 },
        { host: '10.0.0.2', port: 7001 },
      ],
      tls: false,
    });
    expect(parseClusterUrl('rediss-cluster://app:s%40cret@redis-a:6380')).toEqual({
      nodes: [{ host: 'redis-a', port: 6380 }],
      username: 'app',
      password: 's@cret',
      tls: true,
    });
    expect(() => parseClusterUrl('redis-cluster://redis-a')).toThrow(/not host:port/);
    expect(() => parseClusterUrl('redis-cluster://a:1/0')).toThrow(/cluster URL/);
  });

  it('accepts a cluster REDIS_URL in the server and the workers, and the MongoDB options', () => {
    const base = { MONGO_URL: 'mongodb://m1,m2,m3/?replicaSet=rs0', REDIS_URL: 'redis-cluster://r1:6379,r2:6379' };
    const c = loadConfig({ ...base, MONGO_WRITE_CONCERN: 'majority', MONGO_DASHBOARD_READ_PREFERENCE: 'secondaryPreferred' });
    expect(c).toMatchObject({
      REDIS_URL: base.REDIS_URL,
      MONGO_WRITE_CONCERN: 'majority',
      MONGO_DASHBOARD_READ_PREFERENCE: 'secondaryPreferred',
    });
    expect(loadConfig({ ...base, MONGO_WRITE_CONCERN: '2' }).MONGO_WRITE_CONCERN).toBe(2);
    expect(loadConfig(base)).toMatchObject({ MONGO_WRITE_CONCERN: undefined, MONGO_DASHBOARD_READ_PREFERENCE: 'primary' });
    expect(() => loadConfig({ ...base, MONGO_WRITE_CONCERN: 'all' })).toThrow(/^config: MONGO_WRITE_CONCERN /);
    expect(() => loadConfig({ ...base, MONGO_DASHBOARD_READ_PREFERENCE: 'any' })).toThrow(/^config: MONGO_DASHBOARD_READ_PREFERENCE /);
    expect(loadWorkerConfig(base).REDIS_URL).toBe(base.REDIS_URL);
  });

  it('lets a workers process take some queues only, each with its own concurrency', () => {
    const base = { MONGO_URL: 'mongodb://m1', REDIS_URL: 'redis://r1:6379' };
    expect(loadWorkerConfig(base)).toMatchObject({
      WORKER_QUEUES: ['quality', 'maintenance', 'ml', 'export'],
      WORKER_CONCURRENCY: 4,
      ML_WORKER_CONCURRENCY: 2,
      EXPORT_WORKER_CONCURRENCY: 1,
    });
    expect(
      loadWorkerConfig({ ...base, WORKER_QUEUES: 'ml, export', ML_WORKER_CONCURRENCY: '6', EXPORT_WORKER_CONCURRENCY: '3' }),
    ).toMatchObject({ WORKER_QUEUES: ['ml', 'export'], ML_WORKER_CONCURRENCY: 6, EXPORT_WORKER_CONCURRENCY: 3 });
    expect(() => loadWorkerConfig({ ...base, WORKER_QUEUES: 'quality,images' })).toThrow(/^config: WORKER_QUEUES /);
    expect(() => loadWorkerConfig({ ...base, ML_WORKER_CONCURRENCY: '0' })).toThrow(/^config: ML_WORKER_CONCURRENCY /);
  });
});
