/**
 * Dependency-direction check (run by `npm test`): core imports nothing of ours and no Node I/O;
 * engine imports only @labelwork/core; server and workers import core and engine; the client only
 * core; server, workers and client never import each other;
 * no package reaches into another by a relative path; and no import cycles within a package.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './services.ts';

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
const IMPORT_RE = /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/gm;
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
for (const pkg of PACKAGES) {
  const src = path.join(repoRoot, pkg, 'src');
  for (const file of files(src)) {
    const text = readFileSync(file, 'utf8');
    const rel = path.relative(repoRoot, file);
    const edges: string[] = [];
    for (const m of text.matchAll(IMPORT_RE)) {
      const spec = (m[1] ?? m[2])!;
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
        else edges.push(resolved);
      } else if (pkg === 'core' && NODE_IO.test(spec)) {
        problems.push(`${rel}: core is pure and must not import ${spec}`);
      }
    }
    graph.set(file, edges);
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

if (problems.length) {
  console.error(`dependency check failed (${problems.length}):`);
  for (const p of problems) console.error(`  ${p}`);
  process.exit(1);
}
console.log(
  `dependency check: ${graph.size} files in ${PACKAGES.join(', ')}; direction core ← engine ← server/workers, core ← client holds, no cycles`,
);
