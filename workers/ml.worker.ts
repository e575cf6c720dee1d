/// <reference lib="webworker" />
// Thin entry point: tfjs (backend choice, genome VAE training, embeddings, neighbour search) off the main thread (logic in src/runs-in-worker/ml-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/comlink/app-error-transfer';
import { startHeartbeat } from '../src/comlink/heartbeat';
import { mlWorkerApi } from '../src/runs-in-worker/ml-worker-api';

registerAppErrorTransfer();
expose(mlWorkerApi);
startHeartbeat(self); // the page treats a worker silent mid-call as dead (src/runs-on-page/worker-liveness.ts)
