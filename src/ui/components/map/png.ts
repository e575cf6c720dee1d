/**
 * The map as a PNG: the deck.gl canvas (redrawn just before, so the drawing buffer holds the
 * current view) on a white background, with a title line and the legend beside it.
 */
import type { Legend } from '../../../map/colors';

export async function composeMapPng(mapDataUrl: string, title: string, legend: Legend | null, extra: { label: string; css: string; count: number }[] = []): Promise<Blob> {
  const img = new Image();
  img.src = mapDataUrl;
  await img.decode();
  const legendW = legend ? 260 : 0;
  const titleH = 34;
  const canvas = document.createElement('canvas');
  canvas.width = img.width + legendW;
  canvas.height = Math.max(img.height + titleH, titleH + 40 + 18 * ((legend?.items.length ?? 0) + extra.length + 2));
  const g = canvas.getContext('2d')!;
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(img, 0, titleH);
  g.fillStyle = '#1c2530';
  g.font = '600 15px system-ui, sans-serif';
  g.fillText(title, 12, 22);
  if (legend) {
    const x = img.width + 16;
    let y = titleH + 22;
    g.font = '600 13px system-ui, sans-serif';
    g.fillText(legend.title, x, y);
    g.font = '12px system-ui, sans-serif';
    y += 20;
    if (legend.range) {
      const grad = g.createLinearGradient(x, 0, x + 200, 0);
      legend.range.stops.forEach((c, i) => grad.addColorStop(i / (legend.range!.stops.length - 1), `rgb(${c[0]},${c[1]},${c[2]})`));
      g.fillStyle = grad;
      g.fillRect(x, y - 10, 200, 10);
      g.fillStyle = '#1c2530';
      y += 14;
      g.fillText(`≤ ${legend.range.min}${legend.range.unit}`, x, y);
      g.fillText(`≥ ${legend.range.max}${legend.range.unit}`, x + 160, y);
      y += 20;
    }
    for (const item of legend.items) {
      g.fillStyle = `rgb(${item.color[0]},${item.color[1]},${item.color[2]})`;
      g.beginPath();
      g.arc(x + 5, y - 4, 5, 0, 2 * Math.PI);
      g.fill();
      g.fillStyle = '#1c2530';
      g.fillText(`${item.label.length > 30 ? `${item.label.slice(0, 29)}…` : item.label}  (${item.count.toLocaleString('en-US')})`, x + 16, y);
      y += 18;
    }
    for (const item of extra) {
      g.strokeStyle = item.css;
      g.lineWidth = 2;
      g.beginPath();
      g.arc(x + 5, y - 4, 5, 0, 2 * Math.PI);
      g.stroke();
      g.fillStyle = '#1c2530';
      g.fillText(`${item.label}  (${item.count})`, x + 16, y);
      y += 18;
    }
  }
  return new Promise((ok, fail) => canvas.toBlob((b) => (b ? ok(b) : fail(new Error('the PNG could not be encoded'))), 'image/png'));
}
