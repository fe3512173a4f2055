/**
 * Just enough Markdown structure for guidelines: fenced code blocks (skipped), ATX headings,
 * language markers and definition lines. No rendering: the server sanitizes and renders.
 */

export interface Line {
  text: string;
  /** 1-based line number in the text the lines were taken from. */
  n: number;
  /** Inside a fenced code block (the fence lines themselves count as inside). */
  inFence: boolean;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

export function scanLines(text: string, firstLine = 1): Line[] {
  const out: Line[] = [];
  let fence: { ch: string; len: number } | null = null;
  text.split('\n').forEach((raw, i) => {
    const m = FENCE.exec(raw);
    if (fence) {
      out.push({ text: raw, n: firstLine + i, inFence: true });
      if (m && m[1]!.startsWith(fence.ch) && m[1]!.length >= fence.len && m[2]!.trim() === '') fence = null;
      return;
    }
    if (m && !(m[1]!.startsWith('`') && m[2]!.includes('`'))) {
      fence = { ch: m[1]![0]!, len: m[1]!.length };
      out.push({ text: raw, n: firstLine + i, inFence: true });
      return;
    }
    out.push({ text: raw, n: firstLine + i, inFence: false });
  });
  return out;
}

export interface Heading {
  level: number;
  /** Heading text without the `#` marks and without a closing `#` sequence. */
  text: string;
  /** Index into the scanned lines. */
  index: number;
}

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;

export function headingOf(line: Line): { level: number; text: string } | null {
  if (line.inFence) return null;
  const m = ATX.exec(line.text);
  if (!m) return null;
  return { level: m[1]!.length, text: (m[2] ?? '').trim() };
}

export function headings(lines: Line[]): Heading[] {
  const out: Heading[] = [];
  lines.forEach((line, index) => {
    const h = headingOf(line);
    if (h) out.push({ ...h, index });
  });
  return out;
}

/** `<!-- lang: zh-CN -->` on a line of its own. */
export const LANG_MARKER = /^\s*<!--\s*lang\s*:\s*([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)\s*-->\s*$/;

export interface LangSection {
  tag: string;
  /** 1-based line number of the marker. */
  markerLine: number;
  lines: Line[];
}

/** Splits a body at its language markers (markers inside code fences do not count). */
export function splitLanguages(lines: Line[]): { preamble: Line[]; sections: LangSection[] } {
  const preamble: Line[] = [];
  const sections: LangSection[] = [];
  let current: LangSection | null = null;
  for (const line of lines) {
    const m = line.inFence ? null : LANG_MARKER.exec(line.text);
    if (m) {
      current = { tag: m[1]!, markerLine: line.n, lines: [] };
      sections.push(current);
    } else if (current) current.lines.push(line);
    else preamble.push(line);
  }
  return { preamble, sections };
}

/** The lines joined back, with blank lines at both ends removed. */
export function joinLines(lines: Line[]): string {
  let start = 0;
  let end = lines.length;
  while (start < end && lines[start]!.text.trim() === '') start++;
  while (end > start && lines[end - 1]!.text.trim() === '') end--;
  return lines
    .slice(start, end)
    .map((l) => l.text.replace(/[ \t]+$/, ''))
    .join('\n');
}

/** The heading at `h` and everything under it, up to the next heading of the same or a higher level. */
export function headingSection(lines: Line[], all: Heading[], h: Heading): Line[] {
  const next = all.find((o) => o.index > h.index && o.level <= h.level);
  return lines.slice(h.index, next ? next.index : lines.length);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** True when a heading names the label: the name as a code span anywhere in it, or the whole heading is the name. */
export function headingNamesLabel(text: string, name: string): boolean {
  const lower = name.toLowerCase();
  const plain = text.replace(/[*_]/g, '').trim().toLowerCase();
  if (plain === lower) return true;
  const spans = text.match(/`+[^`]+`+/g) ?? [];
  return spans.some((s) => s.replace(/^`+|`+$/g, '').trim().toLowerCase() === lower);
}

const LIST_MARKER = /^(\s*)(?:[-*+]|\d{1,9}[.)])\s+/;

/**
 * A definition line: optional list marker, then the name in bold or as a code span, then `:`, `：`, `—`, `–` or ` - `.
 * Example: `- **car** — a passenger vehicle …`, `` `PER`：人名 ``.
 */
export function definitionLineRegExp(name: string): RegExp {
  const n = escapeRegExp(name);
  return new RegExp(`^\\s*(?:(?:[-*+]|\\d{1,9}[.)])\\s+)?(?:\\*\\*\\s*${n}\\s*\\*\\*|__\\s*${n}\\s*__|\`+\\s*${n}\\s*\`+)\\s*(?::|：|—|–|\\s-\\s)`, 'i');
}

/** The definition line at `index` and its continuation lines (up to a blank line, a heading or the next item at the same or a lower indent). */
export function definitionBlock(lines: Line[], index: number): Line[] {
  const first = lines[index]!;
  const indent = (LIST_MARKER.exec(first.text)?.[1] ?? /^\s*/.exec(first.text)![0]).length;
  let end = index + 1;
  while (end < lines.length) {
    const l = lines[end]!;
    if (l.text.trim() === '' || headingOf(l)) break;
    const item = LIST_MARKER.exec(l.text);
    if (item && item[1]!.length <= indent) break;
    end++;
  }
  return lines.slice(index, end);
}

/**
 * Finds where each label is defined in one language's body: the first heading that names it
 * (its whole section), else the first definition line (with its continuation).
 */
export function findDefinitions(body: string, names: readonly string[]): Map<string, string> {
  const lines = scanLines(body);
  const hs = headings(lines);
  const out = new Map<string, string>();
  for (const name of names) {
    const h = hs.find((o) => headingNamesLabel(o.text, name));
    if (h) {
      out.set(name, joinLines(headingSection(lines, hs, h)));
      continue;
    }
    const re = definitionLineRegExp(name);
    const index = lines.findIndex((l) => !l.inFence && re.test(l.text));
    if (index >= 0) out.set(name, joinLines(definitionBlock(lines, index)));
  }
  return out;
}

/** `### Hard case 3: …` or `### 难例 3：…` (level 2 to 6). */
export const HARD_CASE_HEADING = /^(?:Hard case|难例)\s*(\d{1,4})(?!\d)/i;

export interface HardCase {
  /** The number written in the heading. */
  number: number;
  /** The heading text, e.g. `Hard case 3: a person walking a bicycle`. */
  title: string;
  /** The heading and its section. */
  markdown: string;
}

export function findHardCases(body: string): HardCase[] {
  const lines = scanLines(body);
  const hs = headings(lines);
  return hs.flatMap((h) => {
    if (h.level < 2) return [];
    const m = HARD_CASE_HEADING.exec(h.text);
    if (!m) return [];
    return [{ number: Number(m[1]), title: h.text, markdown: joinLines(headingSection(lines, hs, h)) }];
  });
}
