/**
 * Raw benchmark output: every bench writes its full figures to `bench/results/<name>.json` (ignored by
 * git) and appends the same object as one line to `bench/results/<name>.runs.jsonl`, so the medians the
 * README quotes can be recomputed from the runs they came from. Each record carries the machine and
 * its load (`uptime`'s load averages at the start and at the end of the run): this machine is often
 * shared, and a figure without its load says little.
 */
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from '../scripts/services.ts';

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The machine a run ran on and the load averages (1, 5, 15 min) now. */
export function machine(): { cpus: number; cpu_model: string; mem_gb: number; load_average: number[] } {
  const cpus = os.cpus();
  return {
    cpus: cpus.length,
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    mem_gb: round2(os.totalmem() / 2 ** 30),
    load_average: os.loadavg().map(round2),
  };
}

/** Remembers the load when a bench starts; `write` records it beside the load at the end. */
export function startRecording(name: string): { write(figures: Record<string, unknown>): string } {
  const startedAt = new Date();
  const atStart = machine();
  return {
    write(figures) {
      const atEnd = machine();
      const record = {
        bench: name,
        started_at: startedAt.toISOString(),
        ended_at: new Date().toISOString(),
        machine: { cpus: atStart.cpus, cpu_model: atStart.cpu_model, mem_gb: atStart.mem_gb },
        load_average_start: atStart.load_average,
        load_average_end: atEnd.load_average,
        ...figures,
      };
      const dir = path.join(repoRoot, 'bench', 'results');
      mkdirSync(dir, { recursive: true });
      const file = path.join(dir, `${name}.json`);
      writeFileSync(file, JSON.stringify(record, null, 2));
      appendFileSync(path.join(dir, `${name}.runs.jsonl`), `${JSON.stringify(record)}\n`);
      return file;
    },
  };
}
