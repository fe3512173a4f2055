import { describe, expect, it } from 'vitest';
import { activeThroughput, forecast } from '@labelwork/core';

const T = (hh: number, mm: number, ss = 0) => Date.UTC(2026, 11, 6, hh, mm, ss);
const DAY = 24 * 3_600_000;

describe('throughput over active time', () => {
  it('reads ten minutes of work as the pace of those ten minutes, not spread over 24 h', () => {
    // 20 submissions, one every 30 s from 10:00:30 to 10:10:00, each taking 30 s.
    const subs = Array.from({ length: 20 }, (_, i) => ({ userId: 'a', at: T(10, 0, 30) + i * 30_000, durationMs: 30_000 }));
    const now = T(18, 0);
    // The old figure: 20 / 24 h.
    expect(
      forecast(
        0,
        subs.map((s) => s.at),
        now,
        DAY,
      ).perHour,
    ).toBeCloseTo(0.833, 3);
    expect(activeThroughput(subs, now - DAY, now)).toEqual({ submissions: 20, activeMs: 10 * 60_000, perActiveHour: 120, annotators: 1 });
  });

  it('adds up each annotator’s working spells and leaves out pauses over 10 minutes (worked example)', () => {
    const subs = [
      // a: 09:58–10:05 is one spell (covers touch), then 10:59–11:00 after a 54-minute pause.
      { userId: 'a', at: T(10, 0), durationMs: 120_000 },
      { userId: 'a', at: T(10, 2), durationMs: 120_000 },
      { userId: 'a', at: T(10, 5), durationMs: 180_000 },
      { userId: 'a', at: T(11, 0), durationMs: 60_000 },
      // b: 10:00–10:03 (a 1-minute gap stays inside the spell); then one submission without a duration, 17 min later: 0 min.
      { userId: 'b', at: T(10, 1), durationMs: 60_000 },
      { userId: 'b', at: T(10, 3), durationMs: 60_000 },
      { userId: 'b', at: T(10, 20) },
    ];
    const r = activeThroughput(subs, T(0, 0), T(23, 59));
    // 7 + 1 + 3 + 0 = 11 active minutes for 7 submissions: 7 / (11/60) ≈ 38.18 per active hour.
    expect(r.activeMs).toBe(11 * 60_000);
    expect(r.submissions).toBe(7);
    expect(r.annotators).toBe(2);
    expect(r.perActiveHour).toBeCloseTo(38.18, 2);
  });

  it('keeps a gap of exactly 10 minutes inside the spell, cuts one just over it', () => {
    const at10 = [
      { userId: 'a', at: T(10, 1), durationMs: 60_000 },
      { userId: 'a', at: T(10, 12), durationMs: 60_000 },
    ];
    expect(activeThroughput(at10, T(0, 0), T(23, 0)).activeMs).toBe(12 * 60_000);
    const over = [
      { userId: 'a', at: T(10, 1), durationMs: 60_000 },
      { userId: 'a', at: T(10, 12, 1), durationMs: 60_000 },
    ];
    expect(activeThroughput(over, T(0, 0), T(23, 0)).activeMs).toBe(2 * 60_000);
  });

  it('counts only the window and has no figure without active time', () => {
    expect(activeThroughput([{ userId: 'a', at: T(9, 0), durationMs: 60_000 }], T(10, 0), T(11, 0))).toEqual({
      submissions: 0,
      activeMs: 0,
      perActiveHour: null,
      annotators: 0,
    });
    expect(activeThroughput([{ userId: 'a', at: T(10, 30) }], T(10, 0), T(11, 0)).perActiveHour).toBeNull();
    // A cover reaching back before the window is clipped to it.
    expect(activeThroughput([{ userId: 'a', at: T(10, 1), durationMs: 5 * 60_000 }], T(10, 0), T(11, 0)).activeMs).toBe(60_000);
  });
});
