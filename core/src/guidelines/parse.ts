import { parseDocument } from 'yaml';
import { z } from 'zod';
import { formatPath } from '../contracts/errors.ts';
import { Lang } from '../schema/common.ts';
import { LabelSchema, toolKindIssues } from '../schema/label-schema.ts';
import { findDefinitions, headingOf, joinLines, scanLines, splitLanguages } from './markdown.ts';
import { GuidelineFrontMatter, type Guideline, type GuidelineIssue, type ParseGuidelineResult } from './schema.ts';

/** Longest guideline source accepted, in UTF-16 code units. */
export const MAX_GUIDELINE_LENGTH = 2_000_000;

const FM_OPEN = /^---[ \t]*$/;
const FM_CLOSE = /^(?:---|\.\.\.)[ \t]*$/;

const LANGS: readonly Lang[] = Lang.options;

function isLang(tag: string): tag is Lang {
  return (LANGS as readonly string[]).includes(tag);
}

function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** `guidelines/<slug>/<version>.md` → { slug, version }; null when the path has no such shape. */
function refFromPath(path: string): { slug: string; version: string } | null {
  const parts = path.replace(/\\/g, '/').split('/').filter((p) => p !== '');
  const file = parts.at(-1);
  const dir = parts.at(-2);
  if (!file || !dir || !file.endsWith('.md')) return null;
  return { slug: dir, version: file.slice(0, -3) };
}

/**
 * Parses and checks a guideline document (Markdown with YAML front matter; see guidelines/README.md).
 * `path`, when given, is the file's path and must end in `<slug>/<version>.md` matching the front matter.
 * Pure: no I/O. Returns every problem found, not just the first.
 */
export function parseGuideline(source: string, path?: string): ParseGuidelineResult {
  if (source.length > MAX_GUIDELINE_LENGTH) {
    return { ok: false, issues: [{ path: '', message: `the document is longer than ${MAX_GUIDELINE_LENGTH} characters` }] };
  }
  const text = source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const lines = text.split('\n');
  if (!FM_OPEN.test(lines[0] ?? '')) {
    return { ok: false, issues: [{ path: '', message: 'missing front matter: the document must start with a line "---", then YAML, then a line "---"' }] };
  }
  const close = lines.findIndex((l, i) => i > 0 && FM_CLOSE.test(l));
  if (close < 0) {
    return { ok: false, issues: [{ path: '', message: 'the front matter is not closed: add a line "---" after the YAML' }] };
  }

  const issues: GuidelineIssue[] = [];

  // Front matter: YAML, then the zod schema.
  const yamlText = lines.slice(1, close).join('\n');
  const doc = parseDocument(yamlText, { prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: doc.errors.map((e) => ({
        path: 'frontMatter',
        message: `invalid YAML at line ${lineOfOffset(yamlText, e.pos[0]) + 1}: ${e.message}`,
      })),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, issues: [{ path: 'frontMatter', message: `invalid YAML: ${e instanceof Error ? e.message : String(e)}` }] };
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, issues: [{ path: 'frontMatter', message: 'the front matter must be a YAML mapping of fields (slug, version, languages, …)' }] };
  }
  const parsed = GuidelineFrontMatter.safeParse(data);
  if (!parsed.success) {
    for (const i of parsed.error.issues) issues.push({ path: formatPath(i.path) || 'frontMatter', message: i.message });
  }
  const fm = parsed.success ? parsed.data : null;
  // When the whole front matter is not valid, the fields that are valid on their own still
  // drive the path and body checks, so that one pass reports as much as it can.
  const raw = data as Record<string, unknown>;
  const field = <T>(schema: z.ZodType<T>, key: string): T | undefined => {
    const r = schema.safeParse(raw[key]);
    return r.success ? r.data : undefined;
  };
  const slug = fm ? fm.slug : field(GuidelineFrontMatter.shape.slug, 'slug');
  const version = fm ? fm.version : field(z.string(), 'version');
  const languages = fm ? fm.languages : [...new Set(field(z.array(Lang), 'languages') ?? [])];
  const labelSchema = fm ? fm.labelSchema : field(LabelSchema, 'labelSchema');

  // The file path names the guideline.
  if (path !== undefined) {
    const ref = refFromPath(path);
    if (!ref) issues.push({ path: 'path', message: `"${path}" is not of the form guidelines/<slug>/<version>.md` });
    else {
      if (slug !== undefined && ref.slug !== slug) issues.push({ path: 'slug', message: `slug "${slug}" does not match the folder "${ref.slug}" of ${path}` });
      if (version !== undefined && ref.version !== version) {
        issues.push({ path: 'version', message: `version "${version}" does not match the file name "${ref.version}.md" of ${path}` });
      }
    }
  }

  // Body: one section per language, each opened by a marker line and a level-1 heading.
  const { preamble, sections } = splitLanguages(scanLines(lines.slice(close + 1).join('\n'), close + 2));
  const body: Record<Lang, string> = { 'zh-CN': '', en: '' };
  const present = new Set<Lang>();
  const firstText = preamble.find((l) => l.text.trim() !== '');
  if (firstText) {
    issues.push({ path: 'body', message: `line ${firstText.n}: text before the first language marker (start each language with a line like <!-- lang: zh-CN -->)` });
  }
  if (sections.length === 0) {
    issues.push({ path: 'body', message: 'no language marker found: each language part starts with a line like <!-- lang: en -->' });
  }
  for (const s of sections) {
    if (!isLang(s.tag)) {
      issues.push({ path: 'body', message: `line ${s.markerLine}: unknown language "${s.tag}" (use ${LANGS.join(' or ')})` });
      continue;
    }
    if (present.has(s.tag)) {
      issues.push({ path: `body.${s.tag}`, message: `line ${s.markerLine}: a second ${s.tag} part; each language has one part` });
      continue;
    }
    present.add(s.tag);
    const first = s.lines.find((l) => l.text.trim() !== '');
    if (!first) {
      issues.push({ path: `body.${s.tag}`, message: `line ${s.markerLine}: the ${s.tag} part is empty` });
      continue;
    }
    if (headingOf(first)?.level !== 1) {
      issues.push({ path: `body.${s.tag}`, message: `line ${first.n}: the ${s.tag} part must start with a level-1 heading ("# …")` });
    }
    body[s.tag] = joinLines(s.lines);
  }

  if (languages.length > 0) {
    for (const lang of languages) {
      if (!present.has(lang)) issues.push({ path: `body.${lang}`, message: `no ${lang} part in the body: add a line <!-- lang: ${lang} --> and the ${lang} text` });
    }
    for (const lang of present) {
      if (!languages.includes(lang)) issues.push({ path: `body.${lang}`, message: `the body has a ${lang} part but languages does not list ${lang}` });
    }
  }
  if (labelSchema) {
    const names = labelSchema.labels.map((l) => l.name);
    for (const lang of languages) {
      if (!present.has(lang) || body[lang] === '') continue;
      const defs = findDefinitions(body[lang], names);
      for (const name of names) {
        if (!defs.has(name)) {
          issues.push({
            path: `body.${lang}`,
            message: `label "${name}" is not defined in the ${lang} part: give it a heading containing \`${name}\` or a definition line starting with **${name}**:`,
          });
        }
      }
    }
  }
  if (fm) for (const i of toolKindIssues(fm.kind, fm.labelSchema)) issues.push({ path: formatPath(i.path), message: i.message });

  if (issues.length > 0 || !fm) return { ok: false, issues };
  const guideline: Guideline = {
    slug: fm.slug,
    version: fm.version,
    languages: fm.languages,
    title: fm.title,
    kind: fm.kind,
    labelSchema: fm.labelSchema,
    quiz: fm.quiz,
    body,
  };
  return { ok: true, guideline };
}
