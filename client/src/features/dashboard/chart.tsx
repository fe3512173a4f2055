import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface LineSeries {
  label: string;
  values: (number | null)[];
  color: string;
}

const COLORS = ['#2f6fde', '#d9534f', '#3c9d5d', '#e0a100', '#8e44ad', '#16a2b8', '#6c757d'];
export const seriesColor = (i: number) => COLORS[i % COLORS.length]!;

/**
 * A time chart (uPlot): x in epoch ms, one line (or bars) per series. Re-created when the data
 * changes; sized to its container's width.
 */
export function TimeChart({
  x,
  series,
  height = 200,
  bars = false,
  yMin,
  yMax,
  format,
  testId,
  label,
  lang,
  days = false,
}: {
  x: number[];
  /** Axis dates in this language (uPlot's own are English). */
  lang: string;
  series: LineSeries[];
  height?: number;
  bars?: boolean;
  yMin?: number;
  yMax?: number;
  format?: (v: number) => string;
  testId?: string;
  label: string;
  /** Daily data: the x axis shows dates only. */
  days?: boolean;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const width = Math.max(240, el.clientWidth);
    const dayFmt = new Intl.DateTimeFormat(lang, { month: 'numeric', day: 'numeric' });
    const timeFmt = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    const half = x.length >= 2 ? (x[1]! - x[0]!) / 2 : days ? 43_200 : 1_800;
    const opts: uPlot.Options = {
      width,
      height,
      legend: { show: series.length > 1 },
      // Bars are centred on their x: pad the x range by half a bucket so the first and last show whole.
      scales: {
        x: bars && x.length ? { time: true, range: (_u, min, max) => [min - half, max + half] } : { time: true },
        y: yMin !== undefined || yMax !== undefined ? { range: [yMin ?? null, yMax ?? null] as uPlot.Range.MinMax } : {},
      },
      axes: [
        {
          space: days ? 50 : 80,
          size: days ? 30 : 50,
          ...(days ? { incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400] } : {}),
          values: (_u, vals) =>
            vals.map((v) =>
              days ? dayFmt.format(new Date(v * 1000)) : `${timeFmt.format(new Date(v * 1000))}\n${dayFmt.format(new Date(v * 1000))}`,
            ),
        },
        { values: format ? (_u, vals) => vals.map((v) => format(v)) : undefined, size: 50 },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          ...(bars
            ? { fill: `${s.color}66`, paths: uPlot.paths.bars!({ size: [0.8, 40] }), points: { show: false } }
            : { points: { show: true, size: 5 } }),
        })),
      ],
    };
    // Empty buckets draw nothing (a zero-height bar would still draw its outline on the axis).
    const data = [
      x,
      ...series.map((s) => (bars && s.values.some((v) => v) ? s.values.map((v) => (v === 0 ? null : v)) : s.values)),
    ] as uPlot.AlignedData;
    const plot = new uPlot(opts, data, el);
    const onResize = () => plot.setSize({ width: Math.max(240, el.clientWidth), height });
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      plot.destroy();
    };
  }, [x, series, height, bars, yMin, yMax, format, lang, days]);
  return <div ref={box} className="chart" role="img" aria-label={label} data-testid={testId} />;
}
