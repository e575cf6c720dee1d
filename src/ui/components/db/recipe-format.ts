/** Number formatting for recipes: concentrations with units, pH ranges. */
import type { RecipeLine } from '../../../db/queries';

/** Up to 4 significant digits, no exponent for bench-sized numbers: 0.000015, 0.5, 19.45, 1000. */
export function formatConc(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs >= 100) return String(Math.round(v * 10) / 10);
  return String(Number(v.toPrecision(4)));
}

export function formatPh(min: number | null, max: number | null): string {
  if (min === null && max === null) return '–';
  if (min === null || max === null || min === max) return String(min ?? max);
  return `${min}–${max}`;
}

/** The amount column: g/L, or ml/L for liquids, or the original value and unit. */
export function amountText(l: RecipeLine): string {
  if (l.gPerL !== null) return `${formatConc(l.gPerL)} g/L`;
  if (l.mlPerL !== null) return `${formatConc(l.mlPerL)} ml/L`;
  if (l.valueOriginal) return `${l.valueOriginal} ${l.unitOriginal ?? ''}`.trim();
  return '';
}
