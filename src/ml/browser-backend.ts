/**
 * Browser only (a Web Worker): probe what the machine offers, pick the tfjs backend with the pure
 * chooseBackend() (backend.ts) and start it. WebGPU is probed through navigator.gpu (a fallback or
 * SwiftShader adapter is never chosen automatically), WebGL2 through an OffscreenCanvas and
 * WEBGL_debug_renderer_info (SwiftShader/llvmpipe count as software), WASM SIMD by validating a
 * tiny SIMD module. The WebGPU backend is imported only when it is chosen (its own chunk).
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { BACKEND_ORDER, chooseBackend, type BackendChoice, type BackendName, type GpuProbe } from './backend';
import { installFastWasmMatMul } from './wasm-matmul';

export type BackendOverride = BackendName | 'auto';

export const BACKEND_OVERRIDES: readonly BackendOverride[] = ['auto', ...BACKEND_ORDER];

export function isBackendOverride(v: unknown): v is BackendOverride {
  return typeof v === 'string' && (BACKEND_OVERRIDES as readonly string[]).includes(v);
}

export interface BackendStatus extends BackendChoice {
  /** The backend tfjs really runs on (differs from `backend` when that one failed to start). */
  active: string;
  override: BackendOverride;
  probe: GpuProbe;
  /** Backends that were chosen but failed to start, with the error. */
  failed: { backend: BackendName; error: string }[];
  initMs: number;
}

/** wasm-feature-detect's SIMD probe: a module using v128 instructions validates only with SIMD. */
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface AdapterLike {
  isFallbackAdapter?: boolean;
  info?: AdapterInfoLike;
  requestAdapterInfo?: () => Promise<AdapterInfoLike>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}

function withTimeout<T>(p: Promise<T>, ms: number, fallback: T): Promise<T> {
  return Promise.race([p, new Promise<T>((ok) => setTimeout(() => ok(fallback), ms))]);
}

async function probeWebGpu(timeoutMs: number): Promise<Pick<GpuProbe, 'webgpuAdapter' | 'webgpuFallback' | 'webgpuInfo'>> {
  const gpu = (globalThis.navigator as unknown as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { webgpuAdapter: false, webgpuFallback: false, webgpuInfo: '' };
  try {
    const adapter = await withTimeout(gpu.requestAdapter({ powerPreference: 'high-performance' }), timeoutMs, null);
    if (!adapter) return { webgpuAdapter: false, webgpuFallback: false, webgpuInfo: '' };
    const info: AdapterInfoLike = adapter.info ?? (await withTimeout(adapter.requestAdapterInfo?.() ?? Promise.resolve({}), timeoutMs, {}));
    const text = [info.vendor, info.architecture, info.device, info.description].filter((s) => s && s.trim()).join(' ').trim();
    return { webgpuAdapter: true, webgpuFallback: Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter), webgpuInfo: text };
  } catch {
    return { webgpuAdapter: false, webgpuFallback: false, webgpuInfo: '' };
  }
}

function probeWebGl(): Pick<GpuProbe, 'webgl2' | 'webglRenderer'> {
  try {
    if (typeof OffscreenCanvas === 'undefined') return { webgl2: false, webglRenderer: '' };
    const gl = new OffscreenCanvas(1, 1).getContext('webgl2') as WebGL2RenderingContext | null;
    if (!gl) return { webgl2: false, webglRenderer: '' };
    const ext = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    return { webgl2: true, webglRenderer: renderer };
  } catch {
    return { webgl2: false, webglRenderer: '' };
  }
}

/** What this browser context offers (run it in the worker that will compute). */
export async function probeBrowserGpu(timeoutMs = 3000): Promise<GpuProbe> {
  const wasm = typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function';
  let wasmSimd = false;
  try {
    wasmSimd = wasm && WebAssembly.validate(SIMD_PROBE);
  } catch {
    wasmSimd = false;
  }
  return { ...(await probeWebGpu(timeoutMs)), ...probeWebGl(), wasm, wasmSimd };
}

let wasmPathsSet = false;

async function startBackend(name: BackendName): Promise<void> {
  if (name === 'webgpu' && !tf.findBackendFactory('webgpu')) await import('@tensorflow/tfjs-backend-webgpu');
  if (name === 'wasm' && !wasmPathsSet) {
    // Threaded wasm crashed when minified (and needs cross-origin isolation): SIMD or plain only.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths({ 'tfjs-backend-wasm.wasm': wasmPlainUrl, 'tfjs-backend-wasm-simd.wasm': wasmSimdUrl, 'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl });
    wasmPathsSet = true;
  }
  if (tf.getBackend() !== name || !tf.engine().backendNames().includes(name)) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new Error(`tfjs could not start its ${name} backend`);
  }
  await tf.ready();
  if (name === 'wasm') installFastWasmMatMul();
}

/**
 * Probes, chooses (the override from settings wins when that backend can run) and starts the
 * backend. A chosen backend that fails to start falls back along webgpu → webgl → wasm → cpu.
 */
export async function initBrowserBackend(override: BackendOverride = 'auto', probe?: GpuProbe): Promise<BackendStatus> {
  const t0 = performance.now();
  const p = probe ?? (await probeBrowserGpu());
  const choice = chooseBackend(p, override);
  const failed: BackendStatus['failed'] = [];
  const order = [choice.backend, ...BACKEND_ORDER.slice(BACKEND_ORDER.indexOf(choice.backend) + 1).filter((b) => choice.considered.find((c) => c.backend === b)?.usable)];
  for (const name of order) {
    try {
      await startBackend(name);
      const reason = failed.length ? `${failed.map((f) => `${f.backend} failed to start (${f.error})`).join('; ')}; fell back to ${name}` : choice.reason;
      return { ...choice, backend: name, reason, active: tf.getBackend(), override, probe: p, failed, initMs: Math.round(performance.now() - t0) };
    } catch (e) {
      failed.push({ backend: name, error: (e as Error).message });
    }
  }
  throw new Error(`no tfjs backend could start: ${failed.map((f) => `${f.backend}: ${f.error}`).join('; ')}`);
}
