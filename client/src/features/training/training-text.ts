import type { Lang, LocalizedText, QuizQuestionType } from '@labelwork/core';
import type { Translate } from '../../i18n/translate.ts';

export function localText(text: LocalizedText, lang: Lang): string {
  return text[lang] ?? text['zh-CN'] ?? text.en ?? '';
}

/** The question type as the exam shows it after the stem: "(select all that apply)". Stems carry no hint of their own (core's `typeHintIn`). */
export function typeHint(t: Translate, type: QuizQuestionType): string {
  return `(${t(`exam.type.${type}`)})`;
}

export function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

export function partName(t: Translate, part: string): string {
  switch (part) {
    case 'theory':
      return t('training.part.theory');
    case 'practical':
      return t('training.part.practical');
    case 'review':
      return t('training.part.review');
    case 'specification':
      return t('training.part.specification');
    default:
      return t('training.part.comprehensive');
  }
}

/** "12:34" from milliseconds (never negative). */
export function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
