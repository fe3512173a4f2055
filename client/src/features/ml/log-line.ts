import type { Lang, MlLogLineView } from '@labelwork/core';
import type { MessageParams, Translate } from '../../i18n/translate.ts';

/**
 * A run or webhook log line in the reader's language: lines with a code are translated, with times
 * in the reader's locale; older lines without one show the English sentence the worker stored.
 */
export function logLineText(t: Translate, lang: Lang, l: MlLogLineView): string {
  if (l.code === undefined) return l.message;
  const time = (ms: number) => new Date(ms).toLocaleTimeString(lang);
  switch (l.code) {
    case 'run.waiting': {
      const { until, detail, ...p } = l.params;
      return t('ml.logLine.run.waiting', { ...p, until: time(until), detail: detail ? t('ml.logLine.detail', { detail }) : '' });
    }
    case 'webhook.waiting':
      return t('ml.logLine.webhook.waiting', { ...l.params, until: time(l.params.until) });
    case 'run.refused':
      return t('ml.logLine.run.refused', { ...l.params, task: l.params.task ? t('ml.logLine.task', { task: l.params.task }) : '' });
    case 'webhook.sent':
      return t('ml.logLine.webhook.sent', {
        ...l.params,
        attempt: l.params.attempt > 1 ? t('ml.logLine.attempt', { attempt: l.params.attempt }) : '',
      });
    default:
      return t(`ml.logLine.${l.code}`, l.params as MessageParams);
  }
}
