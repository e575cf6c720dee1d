/// <reference lib="webworker" />
// Thin entry point: the growth database (sql.js) off the main thread (logic in src/runs-in-worker/db-worker-api.ts).
import { expose } from 'comlink';
import { registerAppErrorTransfer } from '../src/comlink/app-error-transfer';
import { dbWorkerApi } from '../src/runs-in-worker/db-worker-api';

registerAppErrorTransfer();
expose(dbWorkerApi);
