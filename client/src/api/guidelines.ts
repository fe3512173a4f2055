import type { Lang, LabelSchema, ProjectKind } from '@labelwork/core';
import { http, seg } from './http.ts';

export type LocalizedText = Partial<Record<Lang, string>>;

export interface GuidelineSummary {
  slug: string;
  version: string;
  title: LocalizedText;
  kind: ProjectKind;
  languages: Lang[];
}

export interface GuidelineDetail extends GuidelineSummary {
  labelSchema: LabelSchema;
  body: LocalizedText;
}

/** The text in `lang`, else in any language that has one, else ''. */
export function localized(text: LocalizedText | undefined, lang: Lang): string {
  if (!text) return '';
  return text[lang] || text['zh-CN'] || text.en || '';
}

export async function listGuidelines(signal?: AbortSignal): Promise<GuidelineSummary[]> {
  return (await http.get<{ guidelines: GuidelineSummary[] }>('/api/guidelines', signal ? { signal } : {})).guidelines;
}

export async function getGuideline(slug: string, version: string, signal?: AbortSignal): Promise<GuidelineDetail> {
  return (await http.get<{ guideline: GuidelineDetail }>(`/api/guidelines/${seg(slug)}/${seg(version)}`, signal ? { signal } : {}))
    .guideline;
}
