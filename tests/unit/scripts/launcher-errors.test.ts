import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

describe('services launcher', () => {
  it('says what to install when there is no database and no Go to build FerretDB', () => {
    // PATH without go or mongod, and an empty cache dir, so no FerretDB binary is found either.
    const dirs = (process.env.PATH ?? '')
      .split(path.delimiter)
      .filter((d) => d && !existsSync(path.join(d, 'go')) && !existsSync(path.join(d, 'mongod')));
    const cache = mkdtempSync(path.join(tmpdir(), 'lw-cache-'));
    try {
      const code =
        "import('./scripts/services.ts').then((m) => { try { m.ensureFerretdbBinary(() => {}); } catch (e) { console.log(e.message); } })";
      const r = spawnSync(process.execPath, [path.join(root, 'node_modules/tsx/dist/cli.mjs'), '-e', code], {
        cwd: root,
        encoding: 'utf8',
        env: { ...process.env, PATH: dirs.join(path.delimiter), XDG_CACHE_HOME: cache, MONGO_URL: '' },
      });
      expect(r.stdout).toMatch(/Install Go ≥ 1\.\d+ \(https:\/\/go\.dev\/dl\//);
      expect(r.stdout).toMatch(/set MONGO_URL/);
      expect(r.stdout).toMatch(/mongod on PATH/);
    } finally {
      rmSync(cache, { recursive: true, force: true });
    }
  });

  it("builds the client without rolldown's plugin-timings block in the start output", async () => {
    // Through a variable: the client's config is not part of the tests' TypeScript project.
    const file = path.join(root, 'client', 'vite.config.ts');
    const { default: config } = (await import(file)) as { default: unknown };
    const c = config as { build?: { rolldownOptions?: { checks?: { bundlerTimings?: boolean } } } };
    expect(c.build?.rolldownOptions?.checks?.bundlerTimings).toBe(false);
  });
});
