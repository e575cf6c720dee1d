/// <reference lib="webworker" />
// Thin entry point: the growth database (sql.js) off the main thread (logic in src/workers-client/db-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/workers-client/comlink-errors';
import { dbWorkerApi } from '../src/workers-client/db-worker-api';

registerAppErrorTransfer();
expose(dbWorkerApi);
