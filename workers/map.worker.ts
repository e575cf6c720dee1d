/// <reference lib="webworker" />
// Thin entry point: latent-map projections (PCA, UMAP), placement, neighbours and diagnostics off the main thread (logic in src/runs-in-worker/map-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/comlink/app-error-transfer';
import { mapWorkerApi } from '../src/runs-in-worker/map-worker-api';

registerAppErrorTransfer();
expose(mapWorkerApi);
