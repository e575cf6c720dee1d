/// <reference lib="webworker" />
// Thin entry point: k-mer profiling off the main thread (logic in src/runs-in-worker/profile-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/comlink/app-error-transfer';
import { startHeartbeat } from '../src/comlink/heartbeat';
import { profileWorkerApi } from '../src/runs-in-worker/profile-worker-api';

registerAppErrorTransfer();
expose(profileWorkerApi);
startHeartbeat(self); // the page treats a worker silent mid-call as dead (src/runs-on-page/worker-liveness.ts)
