import { describe, expect, it } from 'vitest';
import { interpolate, translator } from '../../../client/src/i18n/translate.ts';

describe('interpolate', () => {
  it('fills placeholders and leaves unknown ones as written', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
    expect(interpolate('no params {a}')).toBe('no params {a}');
  });

  it('picks the singular for exactly 1 and the plural otherwise, # standing for the number', () => {
    const t = '{n|# region|# regions}';
    expect([0, 1, 2, 11].map((n) => interpolate(t, { n }))).toEqual(['0 regions', '1 region', '2 regions', '11 regions']);
    expect(interpolate('{n|one|many} left', { n: '1' })).toBe('one left');
  });

  it('reads naturally in both languages', () => {
    expect(translator('en')('review.regions', { n: 1 })).toBe('1 region');
    expect(translator('en')('review.regions', { n: 3 })).toBe('3 regions');
    expect(translator('zh-CN')('review.regions', { n: 1 })).toBe('1 个区域');
  });

  it('counts one submission in the singular on the dashboard and says a finished forecast with a capital', () => {
    expect(translator('en')('dash.throughputActiveHint', { n: 1, hours: 0 })).toMatch(/^1 submission in 0 h/);
    expect(translator('en')('dash.throughputActiveHint', { n: 2, hours: 1 })).toMatch(/^2 submissions in 1 h/);
    expect(translator('en')('dash.forecastDone')).toBe('Complete');
  });
});
