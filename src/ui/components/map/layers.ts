/**
 * deck.gl layer factories and helpers for the latent and media maps (pure: no Svelte). The point
 * cloud is one ScatterplotLayer over binary attributes: positions (Float32Array, x y) and colours
 * (Uint8Array, RGBA) go to the GPU as they are, with no per-point JS objects, and picking runs on
 * the GPU. Overlays (selection, profiled genomes, the clicked point) are small extra layers.
 */
import { OrthographicView, type OrthographicViewState } from '@deck.gl/core';
import { ScatterplotLayer } from '@deck.gl/layers';

export const MAP_VIEW = new OrthographicView({ id: 'map', flipY: false });

/** Whether the browser gives this page a WebGL2 context (deck.gl's device here). */
export function hasWebgl2(): boolean {
  try {
    const c = document.createElement('canvas');
    const gl = c.getContext('webgl2');
    const ok = !!gl;
    gl?.getExtension('WEBGL_lose_context')?.loseContext();
    return ok;
  } catch {
    return false;
  }
}

/** Whether WebGPU is offered (reported in the no-WebGL message; deck.gl here draws with WebGL2). */
export const hasWebgpu = (): boolean => typeof navigator !== 'undefined' && 'gpu' in navigator;

/** A point radius that shrinks for big clouds, so dense regions stay readable. */
export function pointRadius(n: number): number {
  return n > 500_000 ? 1.5 : n > 50_000 ? 2 : n > 5_000 ? 3 : 4.5;
}

export interface PointsLayerProps {
  id: string;
  n: number;
  positions: Float32Array;
  colors: Uint8Array;
  radius?: number;
  pickable?: boolean;
}

/** The point cloud: binary attributes, GPU picking. */
export function pointsLayer({ id, n, positions, colors, radius, pickable = true }: PointsLayerProps): ScatterplotLayer {
  return new ScatterplotLayer({
    id,
    data: { length: n, attributes: { getPosition: { value: positions, size: 2 }, getFillColor: { value: colors, size: 4, normalized: true } } },
    radiusUnits: 'pixels',
    getRadius: radius ?? pointRadius(n),
    radiusMinPixels: 1,
    stroked: false,
    pickable,
    autoHighlight: true,
    highlightColor: [0, 0, 0, 160],
  });
}

/** Rings around a few points (x y pairs): the selection, the clicked point, the profiled genomes. */
export function ringLayer(id: string, positions: Float32Array, color: [number, number, number, number], radius: number, options: { filled?: [number, number, number, number]; pickable?: boolean; lineWidth?: number } = {}): ScatterplotLayer {
  const lineWidth = options.lineWidth ?? (id === 'selection' ? 1 : 1.5);
  return new ScatterplotLayer({
    id,
    data: { length: positions.length / 2, attributes: { getPosition: { value: positions, size: 2 } } },
    radiusUnits: 'pixels',
    getRadius: radius,
    stroked: true,
    filled: !!options.filled,
    getFillColor: options.filled ?? [0, 0, 0, 0],
    getLineColor: color,
    lineWidthUnits: 'pixels',
    getLineWidth: lineWidth,
    pickable: options.pickable ?? false,
  });
}

/** The view that shows coordinates in [-1, 1]² (with a margin) in a canvas of width × height px. */
export function fitViewState(width: number, height: number): OrthographicViewState {
  const px = Math.max(50, Math.min(width, height) * 0.92);
  return { target: [0, 0, 0], zoom: Math.log2(px / 2), minZoom: Math.log2(px / 2) - 3, maxZoom: Math.log2(px / 2) + 14 };
}

/** Positions (x y pairs) of some rows of a coordinate array. */
export function positionsOf(coords: Float32Array, rows: ArrayLike<number>): Float32Array {
  const out = new Float32Array(rows.length * 2);
  for (let i = 0; i < rows.length; i++) {
    out[i * 2] = coords[rows[i] * 2];
    out[i * 2 + 1] = coords[rows[i] * 2 + 1];
  }
  return out;
}
