/** Number formatting with units for the UI (fixed en-US grouping so screenshots and tests are stable). */

const grouped = new Intl.NumberFormat('en-US');

export function formatInt(n: number): string {
  return grouped.format(Math.round(n));
}

/** 812 bp, 48.5 kbp, 4.64 Mbp, 1.20 Gbp. */
export function formatBp(bp: number): string {
  if (bp < 1e3) return `${formatInt(bp)} bp`;
  if (bp < 1e6) return `${(bp / 1e3).toFixed(1)} kbp`;
  if (bp < 1e9) return `${(bp / 1e6).toFixed(2)} Mbp`;
  return `${(bp / 1e9).toFixed(2)} Gbp`;
}

/** 512 B, 15.0 kB, 4.20 MB, 1.10 GB (decimal units, as file managers show). */
export function formatBytes(bytes: number): string {
  if (bytes < 1e3) return `${formatInt(bytes)} B`;
  if (bytes < 1e6) return `${(bytes / 1e3).toFixed(1)} kB`;
  if (bytes < 1e9) return `${(bytes / 1e6).toFixed(1)} MB`;
  return `${(bytes / 1e9).toFixed(2)} GB`;
}

/** A fraction as a percentage: 0.4986 → "49.86 %"; NaN → "–". */
export function formatPercent(fraction: number, digits = 2): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(digits)} %` : '–';
}

export function formatSeconds(sec: number): string {
  if (!Number.isFinite(sec)) return '–';
  if (sec < 10) return `${sec.toFixed(2)} s`;
  if (sec < 120) return `${sec.toFixed(1)} s`;
  const m = Math.floor(sec / 60);
  return `${m} min ${Math.round(sec - m * 60)} s`;
}

export function formatRate(mbpPerSec: number): string {
  if (!Number.isFinite(mbpPerSec)) return '–';
  return `${mbpPerSec < 10 ? mbpPerSec.toFixed(2) : mbpPerSec.toFixed(1)} Mbp/s`;
}

/** A rough time left: "3 s", "2 min 5 s". */
export function formatEta(sec: number): string {
  if (!Number.isFinite(sec)) return '–';
  const s = Math.max(1, Math.ceil(sec));
  return s < 120 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}
