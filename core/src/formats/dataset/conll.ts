import type { SpanRegion } from '../../schema/region.ts';
import { codePointLength } from '../../schema/item.ts';
import { pickAnnotation } from './image-common.ts';
import { labelsFromItems, regionIds } from './labels-from-regions.ts';
import type { DatasetFormat, DatasetItem, DatasetWarning, DatasetWriter, InputFile, ReadResult, WriteOptions } from './types.ts';

/**
 * CoNLL-style token-per-line NER files. Every blank-line-separated block is one text item;
 * a `-DOCSTART-` line marks the start of a document and is kept as `meta.conll.documentStart`
 * on the next item (and written back before it).
 *
 * Two token layouts, chosen per block, never per file, so a file may mix them:
 * - **characters** (MSRA, People's Daily, Resume, Weibo): every token is one code point and the
 *   block contains Chinese or Japanese script; the text is the tokens joined with nothing, so it
 *   round-trips exactly (spaces inside the text are tokens of their own, written `" \tO"`).
 * - **words** (CoNLL-2003): whitespace tokens, joined with ONE space; spans are re-based to the
 *   code-point offsets of that joined text. Writing splits a word where a span starts or ends
 *   inside it (`Paris.` → `Paris` `.`), so entities stay exact, and warns that the text gained a space there.
 *
 * Columns: `token tag` or `token<TAB>tag`; with more columns (CoNLL-2003's `word POS chunk NER`) the
 * first is the token and the last the tag. Weibo files (every token a character with a word-position
 * digit glued on, `大0`) lose the digit; their `.NAM`/`.NOM` suffixes stay part of the label
 * (`PER.NAM` and `PER.NOM` are two labels, so nominal mentions are neither lost nor merged into names).
 *
 * Tags read: IOB2, IOB1 (an entity may begin with I-; B- only between adjacent same-type
 * entities), BIOES and BMES (M- = I-). An I-/M-/E- that does not continue an entity of its type
 * starts one; in BIOES/BMES files that is a repair and is reported. Written: IOB2, or BIOES with
 * `scheme: 'bioes'`.
 */

const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
const TAG = /^([BIESM])[-_](.+)$/;
/** A Weibo token: one character and its position in the segmented word (`大0`, `会12`). */
const WEIBO_TOKEN = /^[^\d]\d+$/u;

interface Token {
  text: string;
  tag: string;
  line: number;
}

interface Block {
  tokens: Token[];
  documentStart: boolean;
}

type ParsedTag = { prefix: 'O' } | { prefix: 'B' | 'I' | 'E' | 'S'; type: string };

function parseTag(tag: string): ParsedTag | null {
  if (tag === 'O') return { prefix: 'O' };
  const m = TAG.exec(tag);
  if (!m) return null;
  const p = m[1]!;
  return { prefix: p === 'M' ? 'I' : (p as 'B' | 'I' | 'E' | 'S'), type: m[2]! };
}

function splitBlocks(file: InputFile): { blocks: Block[]; extraColumns: boolean } | { line: number; message: string } {
  const blocks: Block[] = [];
  let tokens: Token[] = [];
  let documentStart = false;
  let extraColumns = false;
  const end = () => {
    if (tokens.length) blocks.push({ tokens, documentStart });
    if (tokens.length) documentStart = false;
    tokens = [];
  };
  const lines = (file.text.charCodeAt(0) === 0xfeff ? file.text.slice(1) : file.text).split('\n');
  for (const [i, raw] of lines.entries()) {
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l.trim() === '') {
      end();
      continue;
    }
    const cols = l.includes('\t') ? l.split('\t').filter((c, j) => j === 0 || c.trim() !== '') : l.trim().split(/\s+/);
    if (cols[0] === '-DOCSTART-') {
      end();
      documentStart = true;
      continue;
    }
    if (cols.length < 2 || cols[0] === '') return { line: i + 1, message: 'expected a token and a tag' };
    if (cols.length > 2) extraColumns = true;
    tokens.push({ text: cols[0]!, tag: cols[cols.length - 1]!.trim(), line: i + 1 });
  }
  end();
  return { blocks, extraColumns };
}

function read(files: readonly InputFile[]): ReadResult {
  const items: DatasetItem[] = [];
  const warnings: DatasetWarning[] = [];
  for (const file of files) {
    const split = splitBlocks(file);
    if ('message' in split)
      return { ok: false, error: { code: 'CONLL_INVALID', message: split.message, file: file.path, line: split.line } };
    const { blocks } = split;
    if (split.extraColumns)
      warnings.push({
        code: 'conll_columns',
        message: 'lines with more than two columns: the first is the token, the last the tag',
        file: file.path,
      });
    const all = blocks.flatMap((b) => b.tokens);
    const weibo = all.length > 0 && all.every((t) => WEIBO_TOKEN.test(t.text) || /^\d\d+$/.test(t.text));
    if (weibo)
      warnings.push({ code: 'conll_weibo', message: 'word-position digits after each character removed (Weibo layout)', file: file.path });
    let iStarts = 0;
    let endsOrSingles = false;
    let firstIStart: number | undefined;
    for (const block of blocks) {
      const texts = block.tokens.map((t) => (weibo ? [...t.text][0]! : t.text));
      const chars = texts.every((t) => codePointLength(t) === 1) && texts.some((t) => CJK.test(t));
      const sep = chars ? '' : ' ';
      const next = regionIds();
      const regions: SpanRegion[] = [];
      let cur: { type: string; start: number; end: number } | null = null;
      const close = () => {
        if (cur) regions.push({ id: next(), type: 'span', label: cur.type, start: cur.start, end: cur.end });
        cur = null;
      };
      let offset = 0;
      for (const [i, t] of block.tokens.entries()) {
        if (i > 0) offset += sep.length;
        const start = offset;
        offset += codePointLength(texts[i]!);
        const tag = parseTag(t.tag);
        if (!tag)
          return {
            ok: false,
            error: { code: 'CONLL_TAG', message: `tag "${t.tag}" is not O or B-/I-/E-/S-/M-TYPE`, file: file.path, line: t.line },
          };
        if (tag.prefix === 'O') {
          close();
          continue;
        }
        if (tag.prefix === 'E' || tag.prefix === 'S') endsOrSingles = true;
        const continues = cur !== null && (cur as { type: string }).type === tag.type;
        if (tag.prefix === 'B' || tag.prefix === 'S' || !continues) {
          if ((tag.prefix === 'I' || tag.prefix === 'E') && !continues) {
            iStarts++;
            firstIStart ??= t.line;
          }
          close();
          cur = { type: tag.type, start, end: offset };
        } else cur!.end = offset;
        if (tag.prefix === 'E' || tag.prefix === 'S') close();
      }
      close();
      const item: DatasetItem = {
        name: String(items.length + 1),
        kind: 'text',
        text: texts.join(sep),
        annotations: [{ kind: 'annotation', regions }],
      };
      if (block.documentStart) item.meta = { conll: { documentStart: true } };
      items.push(item);
    }
    if (iStarts)
      warnings.push(
        endsOrSingles
          ? {
              code: 'conll_repaired',
              message: `${iStarts} entities begin with I-/M-/E- instead of B-/S-; each was read as starting an entity`,
              file: file.path,
              line: firstIStart,
            }
          : { code: 'conll_iob1', message: `read as IOB1: ${iStarts} entities begin with I-`, file: file.path, line: firstIStart },
      );
  }
  if (items.length === 0) return { ok: false, error: { code: 'CONLL_EMPTY', message: 'no sentences', file: files[0]?.path ?? '' } };
  return { ok: true, dataset: { kind: 'text', labels: labelsFromItems(items), items }, warnings };
}

interface OutToken {
  text: string;
  start: number;
  end: number;
}

/** Tokens of `chars` (code points) in the word layout: whitespace runs separate, span edges split. */
function wordTokens(chars: readonly string[], cuts: ReadonlySet<number>): { tokens: OutToken[]; splits: number } {
  const tokens: OutToken[] = [];
  let splits = 0;
  let start = -1;
  for (let i = 0; i <= chars.length; i++) {
    const space = i === chars.length || /\s/u.test(chars[i]!);
    if (start >= 0 && (space || cuts.has(i))) {
      tokens.push({ text: chars.slice(start, i).join(''), start, end: i });
      if (!space) splits++;
      start = -1;
    }
    if (!space && start < 0) start = i;
  }
  return { tokens, splits };
}

function writer(kind: 'image' | 'text', options: WriteOptions = {}): DatasetWriter {
  const bioes = options.scheme === 'bioes';
  const counts = { images: 0, classes: 0, overlapping: 0, splitItems: 0, unlabeled: 0, empty: 0, dropped: 0, lineBreaks: 0 };
  const spaced = new Set<string>();
  const warnings: DatasetWarning[] = [];
  const tagType = (label: string) => {
    if (!/\s/u.test(label)) return label;
    spaced.add(label);
    return label.replace(/\s/gu, '_');
  };
  return {
    begin: () => [],
    item(item) {
      if (item.kind !== 'text' || item.text === undefined) {
        counts.images++;
        return [];
      }
      const chars = [...item.text];
      const a = pickAnnotation(item, options);
      if (!a) counts.unlabeled++;
      const spans: SpanRegion[] = [];
      const sorted = (a?.regions ?? [])
        .filter((r): r is SpanRegion => r.type === 'span')
        .sort((x, y) => x.start - y.start || y.end - x.end);
      counts.classes += (a?.regions ?? []).filter((r) => r.type === 'class').length;
      for (const s of sorted) {
        if (spans.length && s.start < spans[spans.length - 1]!.end) counts.overlapping++;
        else spans.push(s);
      }
      const charLayout = CJK.test(item.text);
      let tokens: OutToken[];
      if (charLayout) {
        tokens = [];
        chars.forEach((c, i) => {
          if (c === '\n' || c === '\r' || c === '\t') counts.lineBreaks++;
          else tokens.push({ text: c, start: i, end: i + 1 });
        });
      } else {
        const cuts = new Set(spans.flatMap((s) => [s.start, s.end]));
        const w = wordTokens(chars, cuts);
        tokens = w.tokens;
        if (w.splits) counts.splitItems++;
      }
      if (tokens.length === 0) {
        counts.empty++;
        return [];
      }
      const tags = tokens.map(() => 'O');
      let k = 0;
      for (const s of spans) {
        while (k < tokens.length && tokens[k]!.end <= s.start) k++;
        const first = k;
        while (k < tokens.length && tokens[k]!.start < s.end) k++;
        const n = k - first;
        if (n === 0) counts.dropped++;
        for (let j = 0; j < n; j++) {
          const p = bioes ? (n === 1 ? 'S' : j === 0 ? 'B' : j === n - 1 ? 'E' : 'I') : j === 0 ? 'B' : 'I';
          tags[first + j] = `${p}-${tagType(s.label)}`;
        }
      }
      const sep = charLayout ? '\t' : ' ';
      const doc = (item.meta?.conll as { documentStart?: unknown } | undefined)?.documentStart === true ? `-DOCSTART-${sep}O\n\n` : '';
      return [{ file: 'dataset.conll', text: doc + tokens.map((t, i) => `${t.text}${sep}${tags[i]}`).join('\n') + '\n\n' }];
    },
    finish() {
      const note = (n: number, code: string, message: string) => {
        if (n) warnings.push({ code, message: `${n} ${message}` });
      };
      note(counts.images, 'conll_images_skipped', 'image items left out: CoNLL holds text');
      note(counts.classes, 'conll_classes_dropped', 'class labels left out: CoNLL holds spans only');
      note(counts.overlapping, 'conll_overlap_dropped', 'spans overlapping an earlier span left out: CoNLL tags one entity per token');
      note(
        counts.splitItems,
        'conll_tokens_split',
        'items had a word split where a span starts or ends inside it (a space appears there when read back)',
      );
      note(counts.unlabeled, 'conll_unlabeled', 'items not labeled yet written with all tags O');
      note(counts.empty, 'conll_empty_text', 'items without any token left out');
      note(counts.dropped, 'conll_whitespace_span', 'spans covering only whitespace left out');
      note(counts.lineBreaks, 'conll_line_breaks', 'line breaks or tabs inside character-layout text left out');
      if (spaced.size)
        warnings.push({
          code: 'conll_label_spaces',
          message: `labels with white space written with _ instead (a CoNLL tag is one column): ${[...spaced].map((l) => `"${l}"`).join(', ')}`,
        });
      return [];
    },
    warnings: () => warnings,
  };
}

export const conllFormat: DatasetFormat = {
  id: 'conll',
  kinds: ['text'],
  input: 'file',
  output: 'file',
  defaultFile: 'dataset.conll',
  read,
  writer,
};
