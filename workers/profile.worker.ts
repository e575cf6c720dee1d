/// <reference lib="webworker" />
// Thin entry point: k-mer profiling off the main thread (logic in src/workers-client/profile-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/workers-client/comlink-errors';
import { profileWorkerApi } from '../src/workers-client/profile-worker-api';

registerAppErrorTransfer();
expose(profileWorkerApi);
