import { describe, expect, it } from 'vitest';
import { DecodeSlots } from '../../../server/src/modules/items/image-probe.ts';
import { sanitizeSvg, svgLength } from '../../../server/src/modules/items/svg-sanitize.ts';
import { parseXml } from '../../../server/src/modules/items/svg-xml.ts';

const S = 'xmlns="http://www.w3.org/2000/svg"';
const H = 'xmlns:h="http://www.w3.org/1999/xhtml"';

describe('SVG allowlist (#11 item 8)', () => {
  const refused: [string, string, string][] = [
    ['prefixed script', `<s:svg xmlns:s="http://www.w3.org/2000/svg"><s:script>alert(1)</s:script></s:svg>`, 'script'],
    ['XHTML script', `<svg ${S}><script xmlns="http://www.w3.org/1999/xhtml">alert(1)</script></svg>`, 'script'],
    [
      'foreignObject + prefixed img',
      `<svg ${S}><foreignObject><h:img ${H} src="x" onerror="alert(1)"/></foreignObject></svg>`,
      'foreign-object',
    ],
    ['prefixed iframe', `<svg ${S}><h:iframe ${H} src="javascript:alert(1)"/></svg>`, 'script'],
    ['prefixed video poster', `<svg ${S}><h:video ${H} poster="javascript:alert(1)"/></svg>`, 'script'],
    ['set to, entity-encoded', `<svg ${S}><a><set attributeName="href" to="&#106;avascript:alert(1)"/></a></svg>`, 'animated-link'],
    ['animate values, entity-encoded', `<svg ${S}><animate attributeName="fill" values="&#x6A;avascript:alert(1)"/></svg>`, 'script-url'],
    ['javascript: with tabs and entities', `<svg ${S}><a href="jav&#x09;ascript&#58;alert(1)"><rect/></a></svg>`, 'script-url'],
    ['handler in another namespace', `<svg ${S} xmlns:e="urn:e"><rect e:onload="x"/></svg>`, 'event-handler'],
    ['internal DTD', `<!DOCTYPE svg [<!ENTITY a "b">]><svg ${S}/>`, 'xml-entities'],
    ['undefined entity', `<svg ${S}><text>&nbsp;</text></svg>`, 'xml-entities'],
    ['external image', `<svg ${S}><image href="https://evil.example/x.png"/></svg>`, 'external-ref'],
    ['external CSS', `<svg ${S}><style>rect { fill: url(https://evil.example/a) }</style></svg>`, 'external-ref'],
    ['CSS escapes', `<svg ${S}><style>rect { fill: \\75 rl(x) }</style></svg>`, 'css-escape'],
    ['nested SVG as data', `<svg ${S}><image href="data:image/svg+xml;base64,PHN2Zz4="/></svg>`, 'script-url'],
  ];
  for (const [name, svg, reason] of refused) {
    it(`refuses ${name}`, () => {
      const r = sanitizeSvg(svg);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r).toMatchObject({ code: 'UNSAFE_SVG', reason });
    });
  }

  it('writes out only allowlisted SVG elements and attributes, escaped, in the SVG namespace', () => {
    const r = sanitizeSvg(
      `<svg ${S} xmlns:ink="urn:ink" width="20" height="10"><ink:layer><circle r="1"/></ink:layer>` +
        `<metadata>m</metadata><g ink:label="x" data-a="1" class="c"><rect width="5" height="5" fill="url(#g)"/><text>a &lt;b&gt; &amp; "c"</text></g>` +
        `<a href="https://example.com"><rect width="1" height="1"/></a><animate attributeName="opacity" values="0;1"/></svg>`,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.svg).toBe(
      `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="20" height="10">` +
        `<g class="c"><rect width="5" height="5" fill="url(#g)"/><text>a &lt;b&gt; &amp; "c"</text></g><g><rect width="1" height="1"/></g></svg>\n`,
    );
    // What is written parses back to the same allowlisted tree.
    expect(parseXml(r.svg).children.length).toBe(2);
    expect({ width: r.width, height: r.height }).toEqual({ width: 20, height: 10 });
  });

  it('refuses what is costly to render with IMAGE_TOO_COSTLY', () => {
    const cases: [string, string][] = [
      [`<svg ${S}><filter id="f"><feGaussianBlur stdDeviation="9"/></filter></svg>`, 'svg-filter'],
      [`<svg ${S}><rect filter="url(#f)"/></svg>`, 'svg-filter'],
      [`<svg ${S}><rect style="filter : blur(3px)"/></svg>`, 'svg-filter'],
      [`<svg ${S} width="9000" height="10"/>`, 'svg-size'],
      [`<svg ${S} width="100in" height="100in"/>`, 'svg-size'],
      [`<svg ${S} viewBox="0 0 7000 7000"/>`, 'svg-size'],
      [`<svg ${S}><g id="a"><use href="#b"/></g><g id="b"><use href="#a"/></g></svg>`, 'svg-use-fanout'],
    ];
    for (const [svg, reason] of cases) expect(sanitizeSvg(svg)).toMatchObject({ ok: false, code: 'IMAGE_TOO_COSTLY', reason });
  });

  it('refuses XML that is not well-formed, and nesting deeper than the bound, without recursion', () => {
    expect(sanitizeSvg(`<svg ${S}><g></svg>`)).toMatchObject({ ok: false, code: 'CORRUPT_IMAGE' });
    expect(sanitizeSvg(`<svg ${S}>${'<g>'.repeat(100_000)}${'</g>'.repeat(100_000)}</svg>`)).toMatchObject({
      ok: false,
      code: 'CORRUPT_IMAGE',
    });
    expect(sanitizeSvg(`<svg ${S} a="1" a="2"/>`)).toMatchObject({ ok: false, code: 'CORRUPT_IMAGE' });
  });

  it('reads SVG lengths in pixels', () => {
    expect([svgLength('10'), svgLength('10px'), svgLength('1in'), svgLength('50%'), svgLength('x')]).toEqual([10, 10, 96, null, null]);
  });
});

describe('decode slots', () => {
  it('runs at most `size` decodes at once, the others in order', async () => {
    const slots = new DecodeSlots(2);
    let running = 0;
    let peak = 0;
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        slots.run(async () => {
          running++;
          peak = Math.max(peak, running);
          await new Promise((r) => setTimeout(r, 10));
          order.push(i);
          running--;
        }),
      ),
    );
    expect(peak).toBe(2);
    expect(order).toHaveLength(6);
  });
});
