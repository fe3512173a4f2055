import { SaxesParser } from 'saxes';
import type { DatasetError } from './types.ts';

/**
 * Safe XML for the dataset formats (Pascal VOC, CVAT): a small element tree read with saxes, which
 * never fetches or expands anything. Any DOCTYPE is refused outright (no DTD is read, "ignored" or
 * half-trusted), and so is any entity other than XML's five predefined ones (saxes fails on them).
 */

export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (its text and CDATA children joined, not its descendants'). */
  text: string;
  /** 1-based line of the element's start tag. */
  line: number;
}

export type XmlParseResult = { ok: true; root: XmlElement } | { ok: false; error: DatasetError };

class DoctypeRefused extends Error {}

/** Parses `text` (from `file`) into an element tree, or a DatasetError with the file and line. */
export function parseXml(file: string, text: string): XmlParseResult {
  const parser = new SaxesParser({ position: true });
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  parser.on('doctype', () => {
    throw new DoctypeRefused('a DOCTYPE is not accepted (DTDs and external entities are disabled)');
  });
  parser.on('opentag', (tag) => {
    const el: XmlElement = {
      name: tag.name,
      attrs: { ...(tag.attributes as Record<string, string>) },
      children: [],
      text: '',
      line: parser.line,
    };
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(el);
    else root = el;
    if (!tag.isSelfClosing) stack.push(el);
  });
  parser.on('closetag', (tag) => {
    if (!tag.isSelfClosing) stack.pop();
  });
  const addText = (t: string) => {
    const top = stack[stack.length - 1];
    if (top) top.text += t;
  };
  parser.on('text', addText);
  parser.on('cdata', addText);
  try {
    parser.write(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text).close();
  } catch (e) {
    const line = parser.line;
    if (e instanceof DoctypeRefused) return { ok: false, error: { code: 'XML_DOCTYPE', message: e.message, file, line } };
    const raw = e instanceof Error ? e.message : String(e);
    const message = raw.replace(/^\d+:\d+: /, '');
    const code = /entity/i.test(message) ? 'XML_ENTITY' : 'XML_SYNTAX';
    return {
      ok: false,
      error: { code, message: code === 'XML_ENTITY' ? `${message} (only &amp; &lt; &gt; &quot; &apos; are allowed)` : message, file, line },
    };
  }
  if (!root) return { ok: false, error: { code: 'XML_SYNTAX', message: 'no root element', file, line: parser.line } };
  return { ok: true, root };
}

/** The first child element called `name`. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}

/** Child elements called `name`. */
export function children(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The trimmed text of the child called `name`, or undefined. */
export function childText(el: XmlElement, name: string): string | undefined {
  const c = child(el, name);
  return c ? c.text.trim() : undefined;
}

/** Every descendant element called `name`, in document order. */
export function descendants(el: XmlElement, name: string, out: XmlElement[] = []): XmlElement[] {
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    descendants(c, name, out);
  }
  return out;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text or an attribute value; characters XML 1.0 cannot hold at all (controls but tab/CR/LF) are dropped. */
export function escapeXml(s: string): string {
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => ESCAPES[c]!);
}

/** `<name a="1">text</name>` with escaping; `text` undefined gives a self-closing element. */
export function xmlElement(name: string, attrs: Record<string, string | number | undefined>, text?: string): string {
  const a = Object.entries(attrs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`)
    .join('');
  return text === undefined ? `<${name}${a}/>` : `<${name}${a}>${escapeXml(text)}</${name}>`;
}
