/**
 * Choosing the tfjs backend from what a browser offers (src/ml/backend.ts, pure): WebGPU on a
 * real adapter → WebGL2 on a real GPU → WASM → CPU. A fallback or SwiftShader WebGPU adapter and a
 * software WebGL renderer (SwiftShader, llvmpipe, …) never count as a GPU; an override from the
 * settings wins whenever that backend can run at all.
 */
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, chooseBackend, isSoftwareRenderer, type GpuProbe } from '../../src/ml/backend';

const NVIDIA_WEBGL = 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3080 (0x00002206) Direct3D11 vs_5_0 ps_5_0, D3D11)';
const SWIFTSHADER_WEBGL = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const LLVMPIPE_WEBGL = 'llvmpipe (LLVM 15.0.6, 256 bits)';

/** A machine with everything: a real WebGPU adapter, a real WebGL2 GPU, WASM SIMD. */
const GPU_MACHINE: GpuProbe = {
  webgpuAdapter: true,
  webgpuFallback: false,
  webgpuInfo: 'nvidia ampere',
  webgl2: true,
  webglRenderer: NVIDIA_WEBGL,
  wasm: true,
  wasmSimd: true,
};

/** What the test machines' headless Chromium reports: WebGPU and WebGL on SwiftShader. */
const SWIFTSHADER_MACHINE: GpuProbe = {
  webgpuAdapter: true,
  webgpuFallback: false,
  webgpuInfo: 'google swiftshader',
  webgl2: true,
  webglRenderer: SWIFTSHADER_WEBGL,
  wasm: true,
  wasmSimd: true,
};

describe('chooseBackend', () => {
  it('never selects a fallback WebGPU adapter, flagged or recognised as SwiftShader', () => {
    const flagged = chooseBackend({ ...GPU_MACHINE, webgpuFallback: true, webgpuInfo: '' });
    expect(flagged.backend).toBe('webgl');
    expect(flagged.considered.find((c) => c.backend === 'webgpu')).toMatchObject({ usable: false, why: expect.stringMatching(/fallback/) });
    const swift = chooseBackend({ ...GPU_MACHINE, webgpuInfo: 'google swiftshader' });
    expect(swift.backend).toBe('webgl');
    expect(swift.reason).toMatch(/skipped webgpu: fallback\/software adapter \(google swiftshader\)/);
  });

  it('treats SwiftShader and llvmpipe WebGL as software, not a GPU', () => {
    for (const r of [SWIFTSHADER_WEBGL, LLVMPIPE_WEBGL, 'Google SwiftShader', 'Microsoft Basic Render Driver', 'softpipe', 'lavapipe']) expect(isSoftwareRenderer(r), r).toBe(true);
    for (const r of [NVIDIA_WEBGL, 'ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)', 'Mesa Intel(R) UHD Graphics 620 (KBL GT2)', 'AMD Radeon RX 6800']) expect(isSoftwareRenderer(r), r).toBe(false);
    const c = chooseBackend(SWIFTSHADER_MACHINE);
    expect(c.backend).toBe('wasm');
    expect(c.reason).toMatch(/^WebAssembly with SIMD/);
    expect(c.reason).toMatch(/webgl: software renderer \(ANGLE \(Google, Vulkan 1\.3\.0 \(SwiftShader/);
    expect(chooseBackend({ ...SWIFTSHADER_MACHINE, webgpuAdapter: false, webglRenderer: LLVMPIPE_WEBGL }).backend).toBe('wasm');
    // A WebGL2 context whose renderer cannot be read is not trusted as a GPU either.
    expect(chooseBackend({ ...SWIFTSHADER_MACHINE, webgpuAdapter: false, webglRenderer: '' }).backend).toBe('wasm');
  });

  it('goes webgpu → webgl → wasm → cpu as each one is missing', () => {
    expect(BACKEND_ORDER).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(chooseBackend(GPU_MACHINE).backend).toBe('webgpu');
    expect(chooseBackend({ ...GPU_MACHINE, webgpuAdapter: false }).backend).toBe('webgl');
    expect(chooseBackend({ ...GPU_MACHINE, webgpuAdapter: false, webgl2: false, webglRenderer: '' }).backend).toBe('wasm');
    const none = chooseBackend({ ...GPU_MACHINE, webgpuAdapter: false, webgl2: false, webglRenderer: '', wasm: false, wasmSimd: false });
    expect(none.backend).toBe('cpu');
    expect(none.reason).toMatch(/skipped webgpu: no WebGPU adapter; webgl: no WebGL2; wasm: no WebAssembly/);
    expect(none.considered.map((c) => c.backend)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(chooseBackend({ ...SWIFTSHADER_MACHINE, wasmSimd: false }).reason).toMatch(/WebAssembly without SIMD/);
  });

  it('honours an override that can run, even on a software GPU, and ignores one that cannot', () => {
    const webgl = chooseBackend(SWIFTSHADER_MACHINE, 'webgl');
    expect(webgl.backend).toBe('webgl');
    expect(webgl.reason).toMatch(/^chosen in settings \(software renderer/);
    expect(chooseBackend(SWIFTSHADER_MACHINE, 'webgpu').backend).toBe('webgpu');
    expect(chooseBackend(GPU_MACHINE, 'cpu')).toMatchObject({ backend: 'cpu', reason: 'chosen in settings (plain JavaScript, always available)' });
    expect(chooseBackend(GPU_MACHINE, 'wasm').backend).toBe('wasm');
    expect(chooseBackend(GPU_MACHINE, 'auto').backend).toBe('webgpu');
    // Not runnable: no adapter / no WebGL2 / no WebAssembly → the automatic choice.
    expect(chooseBackend({ ...SWIFTSHADER_MACHINE, webgpuAdapter: false }, 'webgpu').backend).toBe('wasm');
    expect(chooseBackend({ ...GPU_MACHINE, webgl2: false }, 'webgl').backend).toBe('webgpu');
    expect(chooseBackend({ ...SWIFTSHADER_MACHINE, wasm: false, wasmSimd: false }, 'wasm').backend).toBe('cpu');
  });
});
