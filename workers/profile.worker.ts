/// <reference lib="webworker" />
// Thin entry point: k-mer profiling off the main thread (logic in src/runs-in-worker/profile-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/comlink/app-error-transfer';
import { profileWorkerApi } from '../src/runs-in-worker/profile-worker-api';

registerAppErrorTransfer();
expose(profileWorkerApi);
