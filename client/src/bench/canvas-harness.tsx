/**
 * Stand-alone page for the editor benchmark and screenshots (client/bench.html, built only by
 * bench/canvas.bench.ts): the real AnnotationEditor on synthetic data, no server.
 * Query: ?scene=boxes|polygons|large|text|mixed&n=…&points=…&lang=zh-CN|en
 */
import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import type { Region } from '@labelwork/core';
import { buildLevels, type ImageLevels } from '../canvas/image-levels.ts';
import type { EditorStore } from '../editor/store.ts';
import { AnnotationEditor, type EditorItem, type EditorProject } from '../features/editor/annotation-editor.tsx';
import { I18nProvider, useI18n } from '../i18n/index.tsx';
import { boxes, imageSchema, polygons, syntheticImage, textSchema } from './synthetic.ts';
import '../styles.css';

declare global {
  interface Window {
    __bench?: { store: EditorStore; ready: boolean; scene: string };
  }
}

const q = new URLSearchParams(location.search);
const scene = q.get('scene') ?? 'boxes';
const n = Number(q.get('n') ?? (scene === 'polygons' ? 500 : scene === 'large' ? 200 : 2000));

const TEXT =
  '2024年3月5日，张伟在北京大学出席了由清华大学与阿里巴巴集团联合举办的人工智能论坛。' +
  '他说：“我们🇨🇳的团队👨‍👩‍👧‍👦已经在杭州和上海建立了实验室。”随后，李娜😀从上海交通大学赶来，介绍了𠀀𠀁字的研究进展。' +
  '\n\nThe forum, held at Peking University, also welcomed Dr. Alice Smith from MIT.';

function spansOf(text: string): Region[] {
  const cp = (needle: string, from = 0) => Array.from(text.slice(0, text.indexOf(needle, from))).length;
  const len = (s: string) => Array.from(s).length;
  const span = (id: string, label: string, needle: string, extend = '') => {
    const start = cp(needle);
    return { id, type: 'span' as const, label, start, end: start + len(needle + extend) };
  };
  return [
    span('s1', 'PER', '张伟'),
    span('s2', 'ORG', '北京大学'),
    span('s3', 'LOC', '北京'),
    span('s4', 'ORG', '清华大学'),
    span('s5', 'ORG', '阿里巴巴集团'),
    span('s6', 'LOC', '杭州'),
    span('s7', 'ORG', '上海交通大学'),
    span('s8', 'LOC', '上海交通'),
    span('s9', 'PER', '李娜😀'),
    span('s10', 'PER', 'Alice Smith'),
    { id: 'c1', type: 'class' as const, label: '新闻' },
  ];
}

function Harness() {
  const { setLang } = useI18n();
  const [image, setImage] = useState<ImageLevels | null>(null);
  useEffect(() => {
    const lang = q.get('lang');
    if (lang === 'en' || lang === 'zh-CN') setLang(lang);
  }, [setLang]);
  const size = scene === 'large' ? { width: 8000, height: 8000 } : { width: 4000, height: 3000 };
  useEffect(() => {
    if (scene === 'text') return;
    let live = true;
    void syntheticImage(size.width, size.height).then(async (bmp) => {
      const levels = await buildLevels(bmp);
      if (live) setImage(levels);
    });
    return () => {
      live = false;
    };
  }, [size.width, size.height]);

  if (scene === 'text') {
    const project: EditorProject = { labelSchema: textSchema, kind: 'text' };
    const item = { id: 'text-1', kind: 'text' as const, text: TEXT };
    const regions = spansOf(TEXT);
    return (
      <div style={{ height: '100vh', padding: 8 }}>
        <AnnotationEditor
          project={project}
          item={item}
          initialRegions={regions.slice(0, 9)}
          prefilledRegions={regions.slice(9)}
          onReady={ready}
        />
      </div>
    );
  }
  if (!image) return <p>preparing image…</p>;
  const project: EditorProject = { labelSchema: imageSchema, kind: 'image' };
  const item: EditorItem = { id: `img-${scene}`, kind: 'image', image: { fileId: 'synthetic', width: size.width, height: size.height } };
  let regions: Region[];
  let prefilled: Region[] = [];
  if (scene === 'polygons') regions = polygons(n, Number(q.get('points') ?? 30), size.width, size.height);
  else if (scene === 'mixed') {
    regions = [
      ...boxes(n, size.width, size.height),
      ...polygons(3, 12, size.width, size.height),
      {
        id: 'k1',
        type: 'keypoints',
        label: 'person-pose',
        points: [
          { name: 'head', x: 1800, y: 1500, v: 2 },
          { name: 'l-hand', x: 1700, y: 1650, v: 2 },
          { name: 'r-hand', x: 1910, y: 1660, v: 1 },
          { name: 'l-foot', x: 1740, y: 1900, v: 2 },
          { name: 'r-foot', x: 1870, y: 1905, v: 0 },
        ],
      },
      { id: 'cls', type: 'class', label: 'day' },
    ];
    prefilled = boxes(4, size.width, size.height, 99, 'pre');
  } else regions = boxes(n, size.width, size.height);
  return (
    <div style={{ height: '100vh', padding: 8 }}>
      <AnnotationEditor project={project} item={item} initialRegions={regions} prefilledRegions={prefilled} image={image} onReady={ready} />
    </div>
  );
}

function ready(store: EditorStore) {
  window.__bench = { store, ready: true, scene };
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <I18nProvider>
      <Harness />
    </I18nProvider>
  </StrictMode>,
);
