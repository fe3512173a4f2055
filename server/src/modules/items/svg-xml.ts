/**
 * A strict, namespace-aware XML reader for uploaded SVG: elements, attributes, text, CDATA and
 * comments. Entities other than the five predefined ones and character references are refused,
 * and so is a DOCTYPE with an internal subset, so nothing can be declared or expanded.
 * O(n) in the text length, no recursion.
 */

export interface XmlElement {
  /** Namespace URI ('' when none is in scope). */
  ns: string;
  local: string;
  attrs: XmlAttr[];
  children: XmlNode[];
}
export interface XmlAttr {
  ns: string;
  local: string;
  /** The prefixed name as written (for messages). */
  qname: string;
  value: string;
}
export type XmlNode = XmlElement | { text: string };

export class XmlError extends Error {}

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
const NAME = /^[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7\u00C0-\uFFFF]*/;
/** Deeper nesting is refused, so everything that walks the tree may recurse. */
export const MAX_DEPTH = 256;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&([^;]{0,12});?/g, (m, body: string) => {
    if (!m.endsWith(';')) throw new XmlError('a "&" that starts no entity');
    if (body in PREDEFINED) return PREDEFINED[body]!;
    const num = /^#(?:x([0-9a-fA-F]{1,6})|([0-9]{1,7}))$/.exec(body);
    if (!num) throw new XmlError(`the entity "&${body};" is not defined (entities are not allowed)`);
    const cp = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2]!, 10);
    if (cp === 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new XmlError('a character reference to an invalid character');
    return String.fromCodePoint(cp);
  });
}

interface Open {
  el: XmlElement;
  qname: string;
  scope: Map<string, string>;
}

function splitName(q: string): [string | null, string] {
  const i = q.indexOf(':');
  return i < 0 ? [null, q] : [q.slice(0, i), q.slice(i + 1)];
}

/** Parses a whole document and returns its root element; throws XmlError when it is not well-formed. */
export function parseXml(input: string): XmlElement {
  const s = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  let i = 0;
  let root: XmlElement | null = null;
  const stack: Open[] = [];
  const rootScope = new Map<string, string>([['xml', XML_NS]]);
  const need = (str: string, from: number, what: string): number => {
    const at = s.indexOf(str, from);
    if (at < 0) throw new XmlError(`${what} is not closed`);
    return at;
  };
  while (i < s.length) {
    const lt = s.indexOf('<', i);
    const textEnd = lt < 0 ? s.length : lt;
    if (textEnd > i) {
      const raw = s.slice(i, textEnd);
      const top = stack[stack.length - 1];
      if (top) top.el.children.push({ text: decodeEntities(raw) });
      else if (raw.trim() !== '') throw new XmlError('text outside the root element');
      i = textEnd;
      continue;
    }
    if (s.startsWith('<!--', i)) {
      i = need('-->', i + 4, 'a comment') + 3;
    } else if (s.startsWith('<![CDATA[', i)) {
      const end = need(']]>', i + 9, 'a CDATA section');
      const top = stack[stack.length - 1];
      if (!top) throw new XmlError('CDATA outside the root element');
      top.el.children.push({ text: s.slice(i + 9, end) });
      i = end + 3;
    } else if (s.startsWith('<?', i)) {
      i = need('?>', i + 2, 'a processing instruction') + 2;
    } else if (s.startsWith('<!DOCTYPE', i)) {
      if (root || stack.length) throw new XmlError('a DOCTYPE inside the document');
      const end = need('>', i, 'the DOCTYPE');
      if (s.slice(i, end).includes('[')) throw new XmlError('the DOCTYPE declares entities or other markup (not allowed)');
      i = end + 1;
    } else if (s.startsWith('<!', i)) {
      throw new XmlError('markup declarations are not allowed');
    } else if (s.startsWith('</', i)) {
      const end = need('>', i, 'an end tag');
      const name = s.slice(i + 2, end).trim();
      const top = stack.pop();
      if (!top || top.qname !== name) throw new XmlError(`the end tag </${name}> does not match`);
      i = end + 1;
    } else {
      i = readStartTag(s, i + 1, stack, rootScope, (el) => {
        if (root) throw new XmlError('more than one root element');
        root = el;
      });
    }
  }
  if (stack.length) throw new XmlError(`the element <${stack[stack.length - 1]!.qname}> is not closed`);
  if (!root) throw new XmlError('no root element');
  return root;
}

function readStartTag(s: string, from: number, stack: Open[], rootScope: Map<string, string>, setRoot: (el: XmlElement) => void): number {
  let i = from;
  const m = NAME.exec(s.slice(i, i + 200));
  if (!m) throw new XmlError('a "<" that starts no tag');
  const qname = m[0];
  i += qname.length;
  const raw: { qname: string; value: string }[] = [];
  for (;;) {
    const ws = /^\s*/.exec(s.slice(i, i + 1000))![0].length;
    i += ws;
    if (s.startsWith('/>', i) || s[i] === '>') break;
    if (i >= s.length) throw new XmlError(`the tag <${qname}> is not closed`);
    if (ws === 0) throw new XmlError(`attributes of <${qname}> need spaces between them`);
    const an = NAME.exec(s.slice(i, i + 200));
    if (!an) throw new XmlError(`a bad attribute in <${qname}>`);
    i += an[0].length;
    const eq = /^\s*=\s*/.exec(s.slice(i, i + 1000));
    if (!eq) throw new XmlError(`the attribute ${an[0]} has no value`);
    i += eq[0].length;
    const quote = s[i];
    if (quote !== '"' && quote !== "'") throw new XmlError(`the attribute ${an[0]} is not quoted`);
    const end = s.indexOf(quote, i + 1);
    if (end < 0) throw new XmlError(`the attribute ${an[0]} is not closed`);
    const v = s.slice(i + 1, end);
    if (v.includes('<')) throw new XmlError(`"<" inside the attribute ${an[0]}`);
    if (raw.some((a) => a.qname === an[0])) throw new XmlError(`the attribute ${an[0]} is given twice`);
    raw.push({ qname: an[0], value: decodeEntities(v).replace(/[\t\n\r]/g, ' ') });
    i = end + 1;
  }
  const selfClosing = s.startsWith('/>', i);
  i += selfClosing ? 2 : 1;
  const parent = stack[stack.length - 1];
  const scope = new Map(parent ? parent.scope : rootScope);
  for (const a of raw) {
    if (a.qname === 'xmlns') scope.set('', a.value);
    else if (a.qname.startsWith('xmlns:')) {
      if (a.value === '') throw new XmlError(`the prefix ${a.qname.slice(6)} is bound to nothing`);
      scope.set(a.qname.slice(6), a.value);
    }
  }
  const [prefix, local] = splitName(qname);
  const ns = scope.get(prefix ?? '');
  if (prefix !== null && ns === undefined) throw new XmlError(`the prefix "${prefix}" is not declared`);
  const attrs: XmlAttr[] = [];
  for (const a of raw) {
    if (a.qname === 'xmlns' || a.qname.startsWith('xmlns:')) continue;
    const [ap, al] = splitName(a.qname);
    const ans = ap === null ? '' : scope.get(ap);
    if (ans === undefined) throw new XmlError(`the prefix "${ap}" is not declared`);
    if (attrs.some((x) => x.ns === ans && x.local === al)) throw new XmlError(`the attribute ${a.qname} is given twice`);
    attrs.push({ ns: ans, local: al, qname: a.qname, value: a.value });
  }
  const el: XmlElement = { ns: ns ?? '', local, attrs, children: [] };
  if (parent) parent.el.children.push(el);
  else setRoot(el);
  if (!selfClosing) {
    if (stack.length >= MAX_DEPTH) throw new XmlError(`elements are nested more than ${MAX_DEPTH} deep`);
    stack.push({ el, qname, scope });
  }
  return i;
}
