import { parseXml, XML_NS, XmlError, type XmlAttr, type XmlElement, type XmlNode } from './svg-xml.ts';

/**
 * Uploaded SVG is parsed (namespace-aware, no entities) and written out again from an allowlist of
 * SVG elements and attributes, so what is stored is only what we emit. Dangerous content is refused
 * with UNSAFE_SVG (so the uploader learns of it); harmless unknowns (editor metadata, other
 * namespaces) are dropped. Content that is costly to render (filters, huge sizes, `<use>` fan-out)
 * is refused with IMAGE_TOO_COSTLY.
 */

export const SVG_NS = 'http://www.w3.org/2000/svg';
const XLINK_NS = 'http://www.w3.org/1999/xlink';
const XHTML_NS = 'http://www.w3.org/1999/xhtml';

export interface SvgLimits {
  /** Largest declared width or height, in pixels. */
  maxSide: number;
  /** Largest declared width × height. */
  maxPixels: number;
  /** Most elements the document may draw once every `<use>` is expanded. */
  maxExpanded: number;
}
export const DEFAULT_SVG_LIMITS: SvgLimits = { maxSide: 8192, maxPixels: 40_000_000, maxExpanded: 50_000 };

export type SvgRefusal = { code: 'UNSAFE_SVG' | 'IMAGE_TOO_COSTLY' | 'CORRUPT_IMAGE'; reason: string; message: string };
export type SvgResult = { ok: true; svg: string; width: number | null; height: number | null } | ({ ok: false } & SvgRefusal);

const KEEP = new Set([
  'svg',
  'g',
  'defs',
  'symbol',
  'use',
  'title',
  'desc',
  'switch',
  'a',
  'path',
  'rect',
  'circle',
  'ellipse',
  'line',
  'polyline',
  'polygon',
  'image',
  'text',
  'tspan',
  'textPath',
  'linearGradient',
  'radialGradient',
  'stop',
  'pattern',
  'clipPath',
  'mask',
  'marker',
  'style',
]);
const SCRIPTING = new Set(['script', 'handler', 'listener', 'foreignObject', 'iframe', 'embed', 'object', 'audio', 'video', 'canvas']);
const ANIMATION = new Set(['set', 'animate', 'animateMotion', 'animateTransform', 'animateColor', 'discard', 'mpath']);
const ATTRS = new Set(
  `id class style transform x y x1 y1 x2 y2 cx cy r rx ry width height d points viewBox preserveAspectRatio
  fill fill-opacity fill-rule stroke stroke-width stroke-opacity stroke-linecap stroke-linejoin stroke-miterlimit stroke-dasharray
  stroke-dashoffset opacity color display visibility font-family font-size font-weight font-style font-variant font-stretch
  text-anchor dominant-baseline alignment-baseline baseline-shift letter-spacing word-spacing text-decoration writing-mode direction
  unicode-bidi dx dy rotate textLength lengthAdjust offset stop-color stop-opacity gradientUnits gradientTransform spreadMethod
  fx fy fr patternUnits patternContentUnits patternTransform clipPathUnits maskUnits maskContentUnits clip-path clip-rule mask
  marker-start marker-mid marker-end markerWidth markerHeight markerUnits refX refY orient shape-rendering text-rendering
  image-rendering color-interpolation paint-order vector-effect overflow version pathLength startOffset method spacing side
  href type media requiredFeatures requiredExtensions systemLanguage`.split(/\s+/),
);
/** Text is kept only where SVG draws or reads it. */
const TEXT_PARENTS = new Set(['text', 'tspan', 'textPath', 'title', 'desc', 'style']);
const SAFE_DATA_IMAGE = /^data:image\/(png|jpeg|gif|webp);base64,[a-z0-9+/=\s]*$/i;

const refuse = (code: SvgRefusal['code'], reason: string, message: string): SvgRefusal => ({ code, reason, message });

/** Lower-cased with whitespace and control characters removed, as URL parsers read a scheme. */
const squash = (v: string) => v.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();

function cssProblem(css: string): SvgRefusal | null {
  if (css.includes('\\')) return refuse('UNSAFE_SVG', 'css-escape', 'SVG refused: CSS escapes are not allowed');
  const flat = squash(css);
  if (flat.includes('@import')) return refuse('UNSAFE_SVG', 'css-import', 'SVG refused: imports external CSS');
  if (/url\((?!["']?#)/.test(flat)) return refuse('UNSAFE_SVG', 'external-ref', 'SVG refused: refers to an external resource in CSS');
  if (/expression\(|-moz-binding|behavior:|javascript:/.test(flat))
    return refuse('UNSAFE_SVG', 'css-script', 'SVG refused: CSS that runs code');
  if (/(^|[;{\s])filter:/.test(css.toLowerCase().replace(/\s+:/g, ':')) || flat.includes('backdrop-filter')) {
    return refuse('IMAGE_TOO_COSTLY', 'svg-filter', 'SVG refused: filters are too costly to render');
  }
  return null;
}

function attrProblem(el: XmlElement, a: XmlAttr): SvgRefusal | null {
  if (/^on/i.test(a.local)) return refuse('UNSAFE_SVG', 'event-handler', `SVG refused: contains an event-handler attribute (${a.qname})`);
  const flat = squash(a.value);
  if (/(java|vb)script:|data:text\/html|data:application|data:image\/svg/.test(flat))
    return refuse('UNSAFE_SVG', 'script-url', `SVG refused: contains a script URL (${a.qname})`);
  if (a.local === 'filter' && (a.ns === '' || a.ns === SVG_NS))
    return refuse('IMAGE_TOO_COSTLY', 'svg-filter', 'SVG refused: filters are too costly to render');
  if (a.local === 'href' && (a.ns === XLINK_NS || a.ns === '')) {
    const v = a.value.trim();
    if (!v.startsWith('#') && !(el.local === 'image' && SAFE_DATA_IMAGE.test(v)) && el.local !== 'a') {
      return refuse('UNSAFE_SVG', 'external-ref', 'SVG refused: refers to an external resource');
    }
  }
  if (a.local === 'style' && a.ns === '') return cssProblem(a.value);
  if (/url\(\s*(?!["']?\s*#)/i.test(a.value)) {
    return refuse('UNSAFE_SVG', 'external-ref', 'SVG refused: refers to an external resource');
  }
  return null;
}

/** Checks one element (not its children): refusals for scripting, animation that sets links, filters. */
function elementProblem(el: XmlElement): SvgRefusal | null {
  if (SCRIPTING.has(el.local) || el.ns === XHTML_NS) {
    return refuse(
      'UNSAFE_SVG',
      el.local === 'foreignObject' ? 'foreign-object' : 'script',
      `SVG refused: contains a <${el.local}> element${el.ns === XHTML_NS ? ' (HTML)' : ''}`,
    );
  }
  const svgish = el.ns === SVG_NS || el.ns === '';
  if (svgish && (el.local === 'filter' || el.local.startsWith('fe')))
    return refuse('IMAGE_TOO_COSTLY', 'svg-filter', 'SVG refused: filters are too costly to render');
  if (ANIMATION.has(el.local)) {
    const target =
      el.attrs
        .find((a) => a.local === 'attributeName')
        ?.value.trim()
        .toLowerCase() ?? '';
    if (target.endsWith('href') || target.startsWith('on'))
      return refuse('UNSAFE_SVG', 'animated-link', `SVG refused: <${el.local}> changes ${target}`);
  }
  for (const a of el.attrs) {
    const p = attrProblem(el, a);
    if (p) return p;
  }
  if (svgish && el.local === 'style') {
    const css = el.children.map((c) => ('text' in c ? c.text : '')).join('');
    return cssProblem(css);
  }
  return null;
}

const esc = (v: string, attr: boolean) => {
  const s = v.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attr ? s.replace(/"/g, '&quot;').replace(/\t/g, '&#9;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;') : s;
};

function keptAttrs(el: XmlElement): string {
  let out = '';
  for (const a of el.attrs) {
    if (a.ns === XLINK_NS && a.local === 'href') out += ` xlink:href="${esc(a.value, true)}"`;
    else if (a.ns === XML_NS && a.local === 'space') out += ` xml:space="${esc(a.value, true)}"`;
    else if (a.ns === '' && ATTRS.has(a.local)) out += ` ${a.local}="${esc(a.value, true)}"`;
  }
  return out;
}

/** Pixels from an SVG length ("120", "120px", "2in", "10mm"…); null for percentages and bad values. */
export function svgLength(v: string | undefined): number | null {
  if (v === undefined) return null;
  const m = /^\s*([+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*(px|pt|pc|in|cm|mm|em|ex)?\s*$/i.exec(v);
  if (!m) return null;
  const per: Record<string, number> = { px: 1, pt: 4 / 3, pc: 16, in: 96, cm: 96 / 2.54, mm: 96 / 25.4, em: 16, ex: 8 };
  return Number(m[1]) * per[(m[2] ?? 'px').toLowerCase()]!;
}

function declaredSize(root: XmlElement): { width: number | null; height: number | null } {
  const get = (n: string) => root.attrs.find((a) => a.ns === '' && a.local === n)?.value;
  const vb = get('viewBox')
    ?.trim()
    .split(/[\s,]+/)
    .map(Number);
  const vbOk = vb && vb.length === 4 && vb.every(Number.isFinite);
  return {
    width: svgLength(get('width')) ?? (vbOk ? vb[2]! : null),
    height: svgLength(get('height')) ?? (vbOk ? vb[3]! : null),
  };
}

/** Elements drawn once every `<use>` is expanded; Infinity for a reference cycle. Iterative, memoised. */
function expandedCount(root: XmlElement, limit: number): number {
  const byId = new Map<string, XmlElement>();
  const walk: XmlElement[] = [root];
  while (walk.length) {
    const el = walk.pop()!;
    const id = el.attrs.find((a) => a.local === 'id' && a.ns === '')?.value;
    if (id && !byId.has(id)) byId.set(id, el);
    for (const c of el.children) if (!('text' in c)) walk.push(c);
  }
  const memo = new Map<XmlElement, number>();
  const inProgress = new Set<XmlElement>();
  const depsOf = (el: XmlElement): XmlElement[] => {
    const deps = el.children.filter((c): c is XmlElement => !('text' in c));
    if (el.local === 'use') {
      const ref = el.attrs.find((a) => a.local === 'href')?.value.trim();
      const target = ref?.startsWith('#') ? byId.get(ref.slice(1)) : undefined;
      if (target) deps.push(target);
    }
    return deps;
  };
  // Depth-first with an explicit stack: an element is counted on its second visit, when its dependencies are.
  const stack: XmlElement[] = [root];
  while (stack.length) {
    const el = stack[stack.length - 1]!;
    if (memo.has(el)) {
      stack.pop();
      continue;
    }
    const deps = depsOf(el);
    if (!inProgress.has(el)) {
      inProgress.add(el);
      for (const d of deps) {
        if (inProgress.has(d)) return Infinity;
        if (!memo.has(d)) stack.push(d);
      }
      continue;
    }
    inProgress.delete(el);
    memo.set(
      el,
      Math.min(
        deps.reduce((sum, d) => sum + memo.get(d)!, 1),
        limit + 1,
      ),
    );
    stack.pop();
  }
  return memo.get(root)!;
}

function serialize(el: XmlElement, isRoot: boolean): string {
  const local = el.local === 'a' ? 'g' : el.local;
  const ns = isRoot ? ` xmlns="${SVG_NS}" xmlns:xlink="${XLINK_NS}"` : '';
  const attrs = el.local === 'a' ? keptAttrs({ ...el, attrs: el.attrs.filter((a) => a.local !== 'href') }) : keptAttrs(el);
  let inner = '';
  for (const c of el.children as XmlNode[]) {
    if ('text' in c) {
      if (TEXT_PARENTS.has(el.local)) inner += esc(c.text, false);
    } else if ((c.ns === SVG_NS || c.ns === '') && KEEP.has(c.local)) inner += serialize(c, false);
  }
  return inner ? `<${local}${ns}${attrs}>${inner}</${local}>` : `<${local}${ns}${attrs}/>`;
}

/** Parses, checks and rewrites an uploaded SVG. */
export function sanitizeSvg(text: string, limits: SvgLimits = DEFAULT_SVG_LIMITS): SvgResult {
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (e) {
    if (e instanceof XmlError) {
      const unsafe = /entit|DOCTYPE|declaration/.test(e.message);
      return {
        ok: false,
        ...refuse(
          unsafe ? 'UNSAFE_SVG' : 'CORRUPT_IMAGE',
          unsafe ? 'xml-entities' : 'xml-syntax',
          `SVG ${unsafe ? 'refused' : 'is not well-formed XML'}: ${e.message}`,
        ),
      };
    }
    throw e;
  }
  if (root.local !== 'svg' || (root.ns !== SVG_NS && root.ns !== ''))
    return { ok: false, ...refuse('CORRUPT_IMAGE', 'not-svg', 'the root element is not <svg>') };
  // Every element is checked, kept or not: what is dropped must not hide what would be refused.
  const walk: XmlElement[] = [root];
  while (walk.length) {
    const el = walk.pop()!;
    const p = elementProblem(el);
    if (p) return { ok: false, ...p };
    for (const c of el.children) if (!('text' in c)) walk.push(c);
  }
  const { width, height } = declaredSize(root);
  for (const side of [width, height]) {
    if (side !== null && (!(side >= 0) || side > limits.maxSide)) {
      return {
        ok: false,
        ...refuse('IMAGE_TOO_COSTLY', 'svg-size', `SVG refused: ${width}×${height} is larger than ${limits.maxSide} pixels a side`),
      };
    }
  }
  if (width !== null && height !== null && width * height > limits.maxPixels) {
    return {
      ok: false,
      ...refuse(
        'IMAGE_TOO_COSTLY',
        'svg-size',
        `SVG refused: ${Math.round(width)}×${Math.round(height)} is more than ${limits.maxPixels} pixels`,
      ),
    };
  }
  const expanded = expandedCount(root, limits.maxExpanded);
  if (expanded > limits.maxExpanded) {
    return {
      ok: false,
      ...refuse(
        'IMAGE_TOO_COSTLY',
        'svg-use-fanout',
        expanded === Infinity
          ? 'SVG refused: <use> refers to itself'
          : `SVG refused: draws more than ${limits.maxExpanded} elements once <use> is expanded`,
      ),
    };
  }
  return { ok: true, svg: `<?xml version="1.0" encoding="UTF-8"?>\n${serialize(root, true)}\n`, width, height };
}
