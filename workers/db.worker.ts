/// <reference lib="webworker" />
// Thin entry point: the growth database (sql.js) off the main thread (logic in src/runs-in-worker/db-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/comlink/app-error-transfer';
import { startHeartbeat } from '../src/comlink/heartbeat';
import { dbWorkerApi } from '../src/runs-in-worker/db-worker-api';

registerAppErrorTransfer();
expose(dbWorkerApi);
startHeartbeat(self); // the page treats a worker silent mid-call as dead (src/runs-on-page/worker-liveness.ts)
