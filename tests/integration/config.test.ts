import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../server/src/config.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('configuration', () => {
  it('fills defaults and coerces numbers', () => {
    const c = loadConfig({ MONGO_URL: 'mongodb://127.0.0.1:1', REDIS_URL: 'redis://127.0.0.1:2', PORT: '8080' });
    expect(c).toMatchObject({ PORT: 8080, MONGO_DB: 'labelwork', SESSION_TTL_S: 43200, NODE_ENV: 'development' });
  });

  it('names the bad variable in one line', () => {
    expect(() => loadConfig({ MONGO_URL: 'mongodb://x', REDIS_URL: 'redis://y', PORT: 'eighty' })).toThrow(/^config: PORT /);
    expect(() => loadConfig({ REDIS_URL: 'redis://y' })).toThrow(/^config: MONGO_URL .*\(not set\)$/);
    expect(() => loadConfig({ MONGO_URL: 'mongodb://x', REDIS_URL: 'redis://y', ADMIN_PASSWORD: 'short' })).toThrow(
      /^config: ADMIN_PASSWORD must be at least 10 characters$/,
    );
  });

  it('trusts no proxy unless TRUST_PROXY names one (a hop count or addresses/CIDR ranges)', () => {
    const base = { MONGO_URL: 'mongodb://x', REDIS_URL: 'redis://y' };
    expect(loadConfig(base).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...base, TRUST_PROXY: '1' }).TRUST_PROXY).toBe(1);
    expect(loadConfig({ ...base, TRUST_PROXY: 'loopback, 10.0.0.0/8,fd00::1' }).TRUST_PROXY).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    for (const bad of ['true', 'everyone', '10.0.0.0/33', '300.1.1.1', '11']) {
      expect(() => loadConfig({ ...base, TRUST_PROXY: bad })).toThrow(/^config: TRUST_PROXY must be empty\/false, a hop count/);
    }
  });

  it('stops the server process with that one line and exit code 2', () => {
    const r = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), 'server/src/main.ts'], {
      cwd: root,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, MONGO_URL: 'postgres://nope', REDIS_URL: 'redis://127.0.0.1:1' },
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe('config: MONGO_URL must be a mongodb:// URL');
  });
});
