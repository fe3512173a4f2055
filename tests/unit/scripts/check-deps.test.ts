import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/** scripts/check-deps.ts on small trees: the module rules fail `npm test` as they should. */

const repo = path.resolve(import.meta.dirname, '../../..');
let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

function tree(files: Record<string, string>): string {
  dir = mkdtempSync(path.join(tmpdir(), 'lw-deps-'));
  for (const [f, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), text);
  }
  return dir;
}

function check(root: string): { status: number | null; out: string } {
  const r = spawnSync(
    process.execPath,
    [path.join(repo, 'node_modules/tsx/dist/cli.mjs'), 'scripts/check-deps.ts', '--root', root, '--modules'],
    {
      cwd: repo,
      encoding: 'utf8',
    },
  );
  return { status: r.status, out: r.stdout + r.stderr };
}

const m = 'server/src/modules';

describe('the module dependency check', () => {
  it('passes modules that use each other through index.ts without a cycle, and prints the graph', () => {
    const r = check(
      tree({
        [`${m}/a/index.ts`]: "export { a } from './a.ts';\n",
        [`${m}/a/a.ts`]: 'export const a = 1;\n',
        [`${m}/b/index.ts`]: "export { b } from './b.ts';\n",
        [`${m}/b/b.ts`]: "import { a } from '../a/index.ts';\nexport const b = a + 1;\n",
      }),
    );
    expect(r.out).toContain('2 server modules');
    expect(r.out).toContain('b → a');
    expect(r.status).toBe(0);
  });

  it('fails on a cycle between modules even when every import goes through index.ts', () => {
    const r = check(
      tree({
        [`${m}/a/index.ts`]: "export { a } from './a.ts';\n",
        [`${m}/a/a.ts`]: "import type { B } from '../b/index.ts';\nexport const a = 1;\nexport type A = B;\n",
        [`${m}/b/index.ts`]: "export { b } from './b.ts';\nexport type { B } from './b.ts';\n",
        [`${m}/b/b.ts`]: "import { a } from '../a/index.ts';\nexport const b = a + 1;\nexport type B = number;\n",
      }),
    );
    expect(r.status).toBe(1);
    expect(r.out).toMatch(/module cycle: a → b → a/);
  });

  it("fails on an import of another module's internal file, and on infra importing a module", () => {
    const r = check(
      tree({
        [`${m}/a/index.ts`]: "export { a } from './a.ts';\n",
        [`${m}/a/a.ts`]: 'export const a = 1;\n',
        [`${m}/b/index.ts`]: "export { b } from './b.ts';\n",
        [`${m}/b/b.ts`]: "import { a } from '../a/a.ts';\nexport const b = a;\n",
        'server/src/infra/x.ts': "import { a } from '../modules/a/index.ts';\nexport const x = a;\n",
      }),
    );
    expect(r.status).toBe(1);
    expect(r.out).toContain(
      "server/src/modules/b/b.ts: imports server/src/modules/a/a.ts; use the module's public server/src/modules/a/index.ts",
    );
    expect(r.out).toContain('server/src/infra/x.ts: infra is below the modules and must not import server/src/modules/a/index.ts');
  });

  it('fails when engine imports the server, or core imports engine', () => {
    const r = check(
      tree({
        'engine/src/x.ts': "import { s } from '@labelwork/server';\nexport const x = s;\n",
        'core/src/y.ts': "import { x } from '@labelwork/engine';\nexport const y = x;\n",
      }),
    );
    expect(r.status).toBe(1);
    expect(r.out).toContain('engine must not import @labelwork/server');
    expect(r.out).toContain('core must not import @labelwork/engine');
  });
});
