/**
 * Dependency-direction check (run by `npm test`): core imports nothing of ours and no Node I/O;
 * engine imports only @labelwork/core; server and workers import core and engine; the client only
 * core; server, workers and client never import each other;
 * no package reaches into another by a relative path; no import cycles within a package; and the
 * server's modules use each other only through their index.ts, with no cycle between modules
 * (`--modules` prints the module graph).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot as checkoutRoot } from './services.ts';

/** The tree to check: this checkout, or `--root DIR` (the tests check small trees of their own). */
const rootArg = process.argv.indexOf('--root');
const repoRoot = rootArg >= 0 && process.argv[rootArg + 1] ? path.resolve(process.argv[rootArg + 1]!) : checkoutRoot;

const PACKAGES = ['core', 'engine', 'server', 'workers', 'client'] as const;
/** Which of our packages each package may import. */
const ALLOWED: Record<Pkg, readonly Pkg[]> = {
  core: [],
  engine: ['core'],
  server: ['core', 'engine'],
  workers: ['core', 'engine'],
  client: ['core'],
};
type Pkg = (typeof PACKAGES)[number];
const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
const NODE_IO = /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|dns|tls|cluster|worker_threads|os|process)$/;

function files(dir: string): string[] {
  let out: string[] = [];
  for (const e of readdirSync(dir)) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) out = out.concat(files(p));
    else if (/\.(ts|tsx|mts)$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolveRelative(from: string, spec: string): string | null {
  const base = path.resolve(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // next
    }
  }
  return null;
}

const problems: string[] = [];
const graph = new Map<string, string[]>();
const importsOf = new Map<string, string[]>();
for (const pkg of PACKAGES) {
  const src = path.join(repoRoot, pkg, 'src');
  if (!existsSync(src)) continue;
  for (const file of files(src)) {
    const text = readFileSync(file, 'utf8');
    const rel = path.relative(repoRoot, file);
    /** Runtime imports (for file cycles: a type-only import is erased) and all imports (for the module rules). */
    const edges: string[] = [];
    const allEdges: string[] = [];
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = (m[2] ?? m[3])!;
      const typeOnly = m[1] !== undefined;
      if (spec.startsWith('@labelwork/')) {
        const target = spec.split('/')[1] as Pkg;
        if (!ALLOWED[pkg].includes(target))
          problems.push(
            `${rel}: ${pkg} must not import ${spec} (${pkg} may import ${ALLOWED[pkg].map((p) => `@labelwork/${p}`).join(', ') || 'nothing of ours'})`,
          );
      } else if (spec.startsWith('.')) {
        const resolved = resolveRelative(file, spec);
        if (!resolved) continue;
        if (!resolved.startsWith(src + path.sep)) problems.push(`${rel}: relative import ${spec} leaves ${pkg}/src`);
        else {
          allEdges.push(resolved);
          if (!typeOnly) edges.push(resolved);
        }
      } else if (pkg === 'core' && NODE_IO.test(spec)) {
        problems.push(`${rel}: core is pure and must not import ${spec}`);
      }
    }
    graph.set(file, edges);
    importsOf.set(file, allEdges);
  }
}

// Cycles (Tarjan's strongly connected components) over runtime imports.
let index = 0;
const idx = new Map<string, number>();
const low = new Map<string, number>();
const onStack = new Set<string>();
const stack: string[] = [];
function strong(v: string): void {
  idx.set(v, index);
  low.set(v, index++);
  stack.push(v);
  onStack.add(v);
  for (const w of graph.get(v) ?? []) {
    if (!idx.has(w)) {
      strong(w);
      low.set(v, Math.min(low.get(v)!, low.get(w)!));
    } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
  }
  if (low.get(v) === idx.get(v)) {
    const comp: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      comp.push(w);
    } while (w !== v);
    if (comp.length > 1) problems.push(`import cycle: ${comp.map((c) => path.relative(repoRoot, c)).join(' → ')}`);
  }
}
for (const v of graph.keys()) if (!idx.has(v)) strong(v);

// Modules (server/src/modules/<name>): each is used by the others only through its public
// index.ts, the module graph has no cycle, and the layers below modules (infra, http) import none.
const modulesDir = path.join(repoRoot, 'server', 'src', 'modules');
const moduleOf = (file: string): string | null =>
  file.startsWith(modulesDir + path.sep) ? path.relative(modulesDir, file).split(path.sep)[0]! : null;
const moduleEdges = new Map<string, Set<string>>();
for (const [file, edges] of importsOf) {
  const rel = path.relative(repoRoot, file);
  const from = moduleOf(file);
  const layer = rel.split(path.sep)[2];
  if (from) moduleEdges.set(from, moduleEdges.get(from) ?? new Set());
  for (const target of edges) {
    const to = moduleOf(target);
    if (!to || to === from) continue;
    if (layer === 'infra' || layer === 'http')
      problems.push(`${rel}: ${layer} is below the modules and must not import ${path.relative(repoRoot, target)}`);
    if (path.basename(target) !== 'index.ts')
      problems.push(`${rel}: imports ${path.relative(repoRoot, target)}; use the module's public server/src/modules/${to}/index.ts`);
    if (from) moduleEdges.get(from)!.add(to);
  }
  if (from && path.basename(file) === 'index.ts' && path.dirname(file) === path.join(modulesDir, from))
    for (const target of edges)
      if (moduleOf(target) !== from)
        problems.push(`${rel}: a module's index.ts re-exports only its own files, not ${path.relative(repoRoot, target)}`);
}
const moduleState = new Map<string, 'open' | 'done'>();
const moduleTrail: string[] = [];
function visitModule(m: string): void {
  moduleState.set(m, 'open');
  moduleTrail.push(m);
  for (const n of [...(moduleEdges.get(m) ?? [])].sort()) {
    const st = moduleState.get(n);
    if (st === 'open') problems.push(`module cycle: ${[...moduleTrail.slice(moduleTrail.indexOf(n)), n].join(' → ')}`);
    else if (st === undefined) visitModule(n);
  }
  moduleTrail.pop();
  moduleState.set(m, 'done');
}
for (const m of [...moduleEdges.keys()].sort()) if (!moduleState.has(m)) visitModule(m);

if (problems.length) {
  console.error(`dependency check failed (${problems.length}):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `dependency check: ${graph.size} files in ${PACKAGES.join(', ')}; direction core ← engine ← server/workers, core ← client holds, no cycles; ` +
    `${moduleEdges.size} server modules, used through their index.ts, no module cycles`,
);
if (process.argv.includes('--modules'))
  for (const [m, to] of [...moduleEdges].sort()) console.log(`  ${m} → ${[...to].sort().join(', ') || '(none)'}`);
