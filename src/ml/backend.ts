/**
 * Choosing the tfjs backend: WebGPU on a real (non-fallback) adapter → WebGL2 on a real GPU →
 * WASM (SIMD; threads only where they are known to work) → CPU. Software renderers (SwiftShader,
 * llvmpipe, "Microsoft Basic Render") count as no GPU. The decision is a pure function of what was
 * probed, so it is tested in Node; probing itself needs a browser (probeBrowserGpu).
 */
export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export const BACKEND_ORDER: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface GpuProbe {
  /** navigator.gpu exists and requestAdapter() returned an adapter. */
  webgpuAdapter: boolean;
  /** adapter.isFallbackAdapter (or adapter.info.isFallbackAdapter). */
  webgpuFallback: boolean;
  /** adapter.info vendor/architecture/description, for display and the software check. */
  webgpuInfo: string;
  /** A WebGL2 context could be created. */
  webgl2: boolean;
  /** UNMASKED_RENDERER_WEBGL (or RENDERER), e.g. "ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device ...))". */
  webglRenderer: string;
  /** WebAssembly with SIMD is available. */
  wasmSimd: boolean;
  wasm: boolean;
}

export interface BackendChoice {
  backend: BackendName;
  /** Why this backend, in words for the user. */
  reason: string;
  /** Every backend considered, with why it was or wasn't chosen. */
  considered: { backend: BackendName; usable: boolean; why: string }[];
}

const SOFTWARE_RENDERER = /swiftshader|llvmpipe|softpipe|software|basic render|lavapipe|mesa offscreen/i;

/** True when a renderer string names a software rasteriser rather than a GPU. */
export function isSoftwareRenderer(renderer: string): boolean {
  return SOFTWARE_RENDERER.test(renderer);
}

/** Picks the backend from a probe; `override` (from settings) wins when that backend is usable. */
export function chooseBackend(p: GpuProbe, override?: BackendName | 'auto'): BackendChoice {
  const considered: BackendChoice['considered'] = [];
  const webgpuSoftware = p.webgpuFallback || isSoftwareRenderer(p.webgpuInfo);
  considered.push({
    backend: 'webgpu',
    usable: p.webgpuAdapter && !webgpuSoftware,
    why: !p.webgpuAdapter ? 'no WebGPU adapter' : webgpuSoftware ? `fallback/software adapter (${p.webgpuInfo || 'fallback'})` : `GPU adapter ${p.webgpuInfo}`.trim(),
  });
  const webglSoftware = isSoftwareRenderer(p.webglRenderer);
  considered.push({
    backend: 'webgl',
    usable: p.webgl2 && !webglSoftware && p.webglRenderer !== '',
    why: !p.webgl2 ? 'no WebGL2' : webglSoftware ? `software renderer (${p.webglRenderer})` : p.webglRenderer === '' ? 'renderer unknown' : `GPU renderer ${p.webglRenderer}`,
  });
  considered.push({ backend: 'wasm', usable: p.wasm, why: p.wasm ? (p.wasmSimd ? 'WebAssembly with SIMD' : 'WebAssembly without SIMD') : 'no WebAssembly' });
  considered.push({ backend: 'cpu', usable: true, why: 'plain JavaScript, always available' });

  if (override && override !== 'auto') {
    const c = considered.find((x) => x.backend === override)!;
    // An explicit choice is honoured when it can run at all (a software GPU is slow, not broken).
    const runnable = override === 'webgpu' ? p.webgpuAdapter : override === 'webgl' ? p.webgl2 : override === 'wasm' ? p.wasm : true;
    if (runnable) return { backend: override, reason: `chosen in settings (${c.why})`, considered };
  }
  const pick = considered.find((c) => c.usable)!;
  const skipped = considered.filter((c) => BACKEND_ORDER.indexOf(c.backend) < BACKEND_ORDER.indexOf(pick.backend)).map((c) => `${c.backend}: ${c.why}`);
  return { backend: pick.backend, reason: `${pick.why}${skipped.length ? ` (skipped ${skipped.join('; ')})` : ''}`, considered };
}
