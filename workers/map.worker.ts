/// <reference lib="webworker" />
// Thin entry point: latent-map projections (PCA, UMAP), placement, neighbours and diagnostics off the main thread (logic in src/runs-in-worker/map-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/comlink/app-error-transfer';
import { startHeartbeat } from '../src/comlink/heartbeat';
import { mapWorkerApi } from '../src/runs-in-worker/map-worker-api';

registerAppErrorTransfer();
expose(mapWorkerApi);
startHeartbeat(self); // the page treats a worker silent mid-call as dead (src/runs-on-page/worker-liveness.ts)
