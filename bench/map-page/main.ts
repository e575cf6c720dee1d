/**
 * The map benchmark page (bench/map-browser.js builds and drives it): a synthetic point cloud of
 * ?n= points drawn exactly as the app draws its map (the same Deck view and ScatterplotLayer
 * factory, binary attributes), then pan and zoom driven frame by frame from the page.
 */
import { Deck, type OrthographicViewState } from '@deck.gl/core';
import { fitViewState, MAP_VIEW, pointsLayer } from '../../src/ui/components/map/layers';
import { seededRandom } from '../../src/map/vectors';
import { rampColor } from '../../src/map/colors';

const n = Number(new URLSearchParams(location.search).get('n') ?? 100_000);
const w = window as unknown as { __bench: Record<string, unknown>; __run: (ms: number) => Promise<unknown>; __pick: (count: number) => unknown };
w.__bench = { n };

const t0 = performance.now();
// 12 Gaussian clusters in [-1, 1]², coloured by cluster (a latent map's look).
const random = seededRandom(1);
const gauss = () => Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random());
const centres = Array.from({ length: 12 }, () => [random() * 1.6 - 0.8, random() * 1.6 - 0.8, 0.04 + random() * 0.12]);
const positions = new Float32Array(n * 2);
const colors = new Uint8Array(n * 4);
for (let i = 0; i < n; i++) {
  const c = centres[i % 12];
  positions[i * 2] = c[0] + gauss() * c[2];
  positions[i * 2 + 1] = c[1] + gauss() * c[2];
  const rgb = rampColor((i % 12) / 11);
  colors[i * 4] = rgb[0];
  colors[i * 4 + 1] = rgb[1];
  colors[i * 4 + 2] = rgb[2];
  colors[i * 4 + 3] = 210;
}
const t1 = performance.now();
w.__bench.dataMs = Math.round(t1 - t0);

const el = document.getElementById('map') as HTMLDivElement;
const initial = fitViewState(el.clientWidth, el.clientHeight);
let frames = 0;
let first: number | null = null;
let view: OrthographicViewState = initial;
const deck = new Deck({
  parent: el,
  views: MAP_VIEW,
  viewState: initial,
  controller: false,
  layers: [pointsLayer({ id: 'points', n, positions, colors })],
  onAfterRender: ({ gl }) => {
    frames++;
    if (first === null) {
      // Reading one pixel back waits until the GPU (here SwiftShader) has really drawn the frame.
      gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
      first = performance.now();
      w.__bench.firstFrameMs = Math.round(first - t1);
      w.__bench.attributeMB = Math.round(((positions.byteLength + colors.byteLength) / 1e6) * 10) / 10;
    }
  },
});

/** Pans and zooms for `ms`, one view change per animation frame; returns frames drawn and their rate. */
w.__run = (ms: number) =>
  new Promise((ok) => {
    const start = performance.now();
    const f0 = frames;
    const gaps: number[] = [];
    let last = start;
    const step = (now: number) => {
      const t = (now - start) / 1000;
      gaps.push(now - last);
      last = now;
      // Pan in a circle while zooming in and out by 2 levels.
      view = { ...initial, target: [0.5 * Math.cos(t * 1.3), 0.5 * Math.sin(t * 1.3), 0], zoom: (initial.zoom as number) + 1 + Math.sin(t * 0.9) };
      deck.setProps({ viewState: view });
      if (now - start < ms) requestAnimationFrame(step);
      else {
        const elapsed = now - start;
        gaps.sort((a, b) => a - b);
        ok({ frames: frames - f0, seconds: elapsed / 1000, fps: Math.round(((frames - f0) / elapsed) * 1000 * 10) / 10, p95FrameMs: Math.round(gaps[Math.floor(gaps.length * 0.95)] ?? 0) });
      }
    };
    requestAnimationFrame(step);
  });

/** Hover picking: `count` GPU picks at points across the canvas, mean ms per pick. */
w.__pick = (count: number) => {
  const t = performance.now();
  let hits = 0;
  for (let i = 0; i < count; i++) {
    const info = deck.pickObject({ x: el.clientWidth * (0.3 + (0.4 * i) / count), y: el.clientHeight * 0.5, radius: 2 });
    if (info && info.index >= 0) hits++;
  }
  return { picks: count, hits, msPerPick: Math.round(((performance.now() - t) / count) * 10) / 10 };
};
