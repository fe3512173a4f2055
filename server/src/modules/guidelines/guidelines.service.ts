import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseGuideline, type Guideline } from '@labelwork/core';
import type { AppContext } from '../../context.ts';
import type { Logger } from '../../infra/logger.ts';

/**
 * Reads every `<dir>/<slug>/<version>.md`. A guideline that does not parse is skipped with a
 * logged list of its problems (the others still load).
 */
export function loadGuidelines(dir: string, log: Logger): Map<string, Guideline> {
  const out = new Map<string, Guideline>();
  let slugs: string[];
  try {
    slugs = readdirSync(dir);
  } catch {
    log.warn('no guidelines directory', { dir });
    return out;
  }
  for (const slug of slugs) {
    const sdir = path.join(dir, slug);
    if (!statSync(sdir).isDirectory()) continue;
    for (const file of readdirSync(sdir)) {
      if (!file.endsWith('.md')) continue;
      const rel = `${slug}/${file}`;
      const r = parseGuideline(readFileSync(path.join(sdir, file), 'utf8'), rel);
      if (r.ok) out.set(`${r.guideline.slug}@${r.guideline.version}`, r.guideline);
      else log.warn('guideline skipped', { file: rel, issues: r.issues });
    }
  }
  return out;
}

export function findGuideline(ctx: AppContext, slug: string, version: string): Guideline | undefined {
  return ctx.guidelines.get(`${slug}@${version}`);
}
