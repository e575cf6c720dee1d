/** uPlot option builders shared by the Model tab's charts (pure: no Svelte, no DOM). */
import type uPlot from 'uplot';

/** Colours of k = 1..6 (light to dark), and of train / validation curves. */
export const K_COLORS = ['#9ecae1', '#6baed6', '#4292c6', '#2171b5', '#08519c', '#08306b'];
export const TRAIN_COLOR = '#0f766e';
export const VAL_COLOR = '#c2410c';

/** NaN/Infinity → null (a gap), which uPlot draws; NaN would break its scales. */
export function gap(v: number | null | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

export function fmt(v: number | null | undefined, digits = 3): string {
  return typeof v === 'number' && Number.isFinite(v) ? v.toFixed(digits) : '–';
}

export interface LineSpec {
  label: string;
  stroke: string;
  dash?: number[];
  fill?: string;
}

/** A line chart over epochs (x = epoch number). */
export function epochChart(title: string, yLabel: string, lines: LineSpec[], digits = 3): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    title,
    scales: { x: { time: false } },
    cursor: { drag: { x: false, y: false } },
    legend: { live: false },
    series: [
      { label: 'epoch', value: (_u, v) => (v == null ? '–' : String(v)) },
      ...lines.map((l) => ({ label: l.label, stroke: l.stroke, dash: l.dash, width: 2, points: { size: 5 }, value: (_u: uPlot, v: number | null) => fmt(v, digits) })),
    ],
    axes: [
      { label: 'epoch', size: 36, labelSize: 16, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000] },
      { label: yLabel, size: 56, labelSize: 16, values: (_u, ticks) => ticks.map((t) => Number(t.toPrecision(4)).toString()) },
    ],
  };
}
