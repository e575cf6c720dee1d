/// <reference lib="webworker" />
// Thin entry point: tfjs (backend choice, genome VAE training, embeddings, neighbour search) off the main thread (logic in src/runs-in-worker/ml-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/comlink/app-error-transfer';
import { mlWorkerApi } from '../src/runs-in-worker/ml-worker-api';

registerAppErrorTransfer();
expose(mlWorkerApi);
