/**
 * Entry point kept for its callers (node-backend.ts, the training worker): installs the faster
 * tfjs-backend-wasm kernels of wasm-kernels.ts. The first of them fixed matMul with
 * transposeA/transposeB, which tfjs-backend-wasm 4.22 runs on a generic loop (~2–4 GFLOP/s
 * against ~45 GFLOP/s for XNNPACK) although every Dense layer's backward pass uses it.
 */
import { installFastWasmKernels } from './wasm-kernels';

/** Call once after the wasm backend is ready (both in Node and in the browser worker). */
export function installFastWasmMatMul(): void {
  installFastWasmKernels();
}
