/**
 * Node only: start tfjs on the WASM backend (the package's own .wasm files, found through
 * module resolution) or the plain CPU backend. `@tensorflow/tfjs-node` is not used: it downloads
 * a native binary at install time.
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { AppError } from '../core/errors';
import { installFastWasmMatMul } from './wasm-matmul';

export type NodeBackend = 'wasm' | 'cpu';

let wasmPathSet = false;

export async function initNodeBackend(name: NodeBackend = 'wasm'): Promise<string> {
  if (name !== 'wasm' && name !== 'cpu') throw new AppError('BAD_OPTION', `--backend must be wasm or cpu in Node, got ${String(name)}`);
  if (name === 'wasm' && !wasmPathSet) {
    const require = createRequire(import.meta.url);
    const dir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    // Threaded wasm crashed in an earlier probe when minified; Node runs the SIMD build.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    setWasmPaths(`${dir}/`);
    wasmPathSet = true;
  }
  if (tf.getBackend() !== name) {
    const ok = await tf.setBackend(name);
    if (!ok) throw new AppError('INTERNAL', `tfjs could not start its ${name} backend`);
  }
  await tf.ready();
  if (name === 'wasm') installFastWasmMatMul();
  return tf.getBackend();
}
