/** A small valid guideline document, with hooks to break one thing at a time. */
export interface FixtureParts {
  frontMatter?: string;
  zh?: string | null;
  en?: string | null;
}

export const FRONT_MATTER = `slug: demo-boxes
version: "1.0"
languages: [zh-CN, en]
title:
  zh-CN: 演示规范
  en: Demo guideline
kind: image
labelSchema:
  labels:
    - name: car
      color: "#1f77b4"
      hotkey: "1"
      tool: bbox
    - name: pedestrian
      color: "#d62728"
      hotkey: "2"
      tool: bbox
quiz:
  - id: q1
    question: { zh-CN: 推车的人标什么？, en: What is a person walking a bike? }
    options:
      - { zh-CN: 行人, en: pedestrian }
      - { zh-CN: 骑行者, en: rider }
    answer: 0
    explanation: { zh-CN: 人不在车上。, en: The person is not on the bike. }
  - id: q2
    question: { zh-CN: 哪些框进行人框？, en: What goes inside a pedestrian box? }
    options:
      - { zh-CN: 帽子, en: hat }
      - { zh-CN: 雨伞, en: umbrella }
      - { zh-CN: 背包, en: backpack }
    answer: [2, 0]
    explanation: { zh-CN: 雨伞不算。, en: Not the umbrella. }
  - id: q3
    question: { zh-CN: 倒影标吗？, en: Are reflections labeled? }
    options:
      - { zh-CN: 标, en: "yes" }
      - { zh-CN: 不标, en: "no" }
    answer: 1
    explanation: { zh-CN: 倒影不是真实物体。, en: A reflection is not a real object. }`;

export const ZH_BODY = `# 演示规范

## 标签定义

### \`car\` 小汽车

载人的四轮车。

#### 细则

车门打开时包含车门。

### \`pedestrian\` 行人

不在车上的人。

## 难例

### 难例 1：推车

标行人。

### 难例 2：倒影

不标。`;

export const EN_BODY = `# Demo guideline

## Label definitions

- **car**: a four-wheeled passenger vehicle.
  Open doors are inside the box.
- **pedestrian** — a person not on a vehicle.

## Hard cases

### Hard case 1: walking a bike

Pedestrian.

### Hard case 2: reflections

Not labeled.`;

export function doc(parts: FixtureParts = {}): string {
  const fm = parts.frontMatter ?? FRONT_MATTER;
  const zh = parts.zh === undefined ? ZH_BODY : parts.zh;
  const en = parts.en === undefined ? EN_BODY : parts.en;
  let out = `---\n${fm}\n---\n\n`;
  if (zh !== null) out += `<!-- lang: zh-CN -->\n\n${zh}\n\n`;
  if (en !== null) out += `<!-- lang: en -->\n\n${en}\n`;
  return out;
}

export const PATH = 'guidelines/demo-boxes/1.0.md';
