import { describe, expect, it } from 'vitest';
import { mlLogLine, mlLogMessage, type MlLogLine, type MlLogLineView } from '../../../core/src/index.ts';
import { logLineText } from '../../../client/src/features/ml/log-line.ts';
import { translator } from '../../../client/src/i18n/translate.ts';

const until = Date.UTC(2026, 11, 6, 9, 30, 0);
const hook = { action: 'ANNOTATION_CREATED', seq: 7, annotation: 'a1b2c3', version: 2 };
/** One line of every code. */
const LINES: MlLogLine[] = [
  { code: 'run.started', params: { user: 'lead1' } },
  { code: 'run.detached', params: {} },
  { code: 'run.resuming', params: { after: 40, attempt: 2 } },
  { code: 'run.done', params: { done: 10, stored: 9, refused: 1 } },
  { code: 'run.cancelled', params: { done: 3 } },
  { code: 'run.waiting', params: { first: 1, last: 8, until, detail: '' } },
  { code: 'run.retrying', params: { first: 1, last: 8, attempt: 2, detail: 'ECONNRESET' } },
  { code: 'run.gaveUp', params: { first: 1, last: 8, detail: 'ECONNRESET' } },
  { code: 'run.refused', params: { first: 9, last: 16, task: '12', reason: 'bad_region', detail: 'x out of range' } },
  { code: 'webhook.waiting', params: { ...hook, until } },
  { code: 'webhook.retrying', params: { ...hook, attempt: 2, detail: 'HTTP 502' } },
  { code: 'webhook.gaveUp', params: { ...hook, detail: 'HTTP 502' } },
  { code: 'webhook.sent', params: { ...hook, attempt: 1 } },
];
const view = (l: MlLogLine): MlLogLineView => ({ at: new Date(until).toISOString(), ...mlLogLine('info', l) });

describe('model run and webhook log lines', () => {
  it('store the English sentence the log always had', () => {
    expect(mlLogMessage({ code: 'run.done', params: { done: 10, stored: 9, refused: 1 } })).toBe(
      'done: 10 items, 9 predictions stored, 1 batches refused',
    );
    expect(mlLogMessage({ code: 'run.waiting', params: { first: 1, last: 8, until, detail: 'HTTP 500' } })).toBe(
      'items #1–#8: HTTP 500 — backend unavailable, waiting until 2026-12-06T09:30:00.000Z (circuit breaker open)',
    );
    expect(mlLogMessage({ code: 'webhook.sent', params: { ...hook, attempt: 3 } })).toBe(
      'ANNOTATION_CREATED item #7 (annotation a1b2c3 v2) sent (attempt 3)',
    );
  });

  it('render every code in both languages with every placeholder filled and no ISO time stamp', () => {
    for (const lang of ['en', 'zh-CN'] as const) {
      const t = translator(lang);
      for (const l of LINES) {
        const text = logLineText(t, lang, view(l));
        expect(text, `${lang} ${l.code}`).not.toMatch(/[{}]|undefined|\d{4}-\d\d-\d\dT/);
        for (const v of Object.values(l.params)) if (typeof v === 'string' && v) expect(text, `${lang} ${l.code}`).toContain(v);
      }
    }
  });

  it('show Chinese readers Chinese, with the time in their locale', () => {
    const t = translator('zh-CN');
    const waiting = logLineText(t, 'zh-CN', view(LINES[5]!));
    expect(waiting).toContain('第 1–8 条：后端不可用，熔断器已打开，等待至 ');
    expect(waiting).toContain(new Date(until).toLocaleTimeString('zh-CN'));
    expect(logLineText(t, 'zh-CN', view(LINES[3]!))).toBe('完成：10 条，已保存 9 条预测，1 批被拒绝');
    expect(logLineText(t, 'zh-CN', view(LINES[12]!))).toBe('ANNOTATION_CREATED 第 7 条（标注 a1b2c3 第 2 版）已发送');
  });

  it('show lines stored before codes existed as they were written', () => {
    const old: MlLogLineView = { at: new Date(until).toISOString(), level: 'error', message: 'items #1–#8: boom — giving up' };
    expect(logLineText(translator('zh-CN'), 'zh-CN', old)).toBe('items #1–#8: boom — giving up');
  });
});
