/**
 * Nearest database genomes of every record of a multi-record file (a MAG, a contig set), on
 * request from the neighbours panel. The file is profiled again with per-record profiles in the
 * profiling pool; the records' counts then go to the ML worker in batches (their buffers
 * transferred, never copied), which embeds and searches each with its own rRNA domain call. The
 * page only keeps one small row per record for the table. Shared through context.
 */
import { transfer } from 'comlink';
import { getContext, setContext } from 'svelte';
import { SvelteMap } from 'svelte/reactivity';
import { AppError, serializeError, type SerializedAppError } from '../../core/errors';
import type { ProfileProgress, RecordProfile } from '../../core/profile-types';
import type { DomainCall } from '../../ml/genome-neighbors';
import type { RecordNeighborRow } from '../record-table';
import type { NeighborsStore } from './neighbors.svelte';
import type { ProfileJob, ProfilesStore } from './profiles.svelte';

/** Records sent to the ML worker per call (progress and cancel between calls). */
export const RECORD_BATCH = 256;

export type RecordRunStatus = 'profiling' | 'embedding' | 'done' | 'cancelled' | 'error';

export class RecordNeighborsRun {
  readonly key: number;
  status = $state<RecordRunStatus>('profiling');
  /** Profiling progress (bytes of the file read). */
  progress = $state.raw<ProfileProgress | null>(null);
  /** Records embedded so far, of `total` (the records with A, C, G or T). */
  embedded = $state(0);
  total = $state(0);
  /** Records of the file without any A, C, G or T (not embedded). */
  skipped = $state(0);
  rows = $state.raw<RecordNeighborRow[]>([]);
  modelId = $state<string | null>(null);
  error = $state.raw<SerializedAppError | null>(null);
  /** Wall time from the click to the table, ms. */
  elapsedMs = $state(0);
  cancelRequested = false;
  poolId = 0;

  constructor(key: number) {
    this.key = key;
  }

  get active(): boolean {
    return this.status === 'profiling' || this.status === 'embedding';
  }
}

export class RecordNeighborsStore {
  /** By ProfileJob key. */
  readonly runs = new SvelteMap<number, RecordNeighborsRun>();
  readonly profiles: ProfilesStore;
  readonly neighbors: NeighborsStore;

  constructor(profiles: ProfilesStore, neighbors: NeighborsStore) {
    this.profiles = profiles;
    this.neighbors = neighbors;
  }

  /** Profiles the job's file per record and finds each record's nearest genome (again, if run before). */
  async start(job: ProfileJob): Promise<void> {
    if (this.runs.get(job.key)?.active) return;
    const run = new RecordNeighborsRun(job.key);
    this.runs.set(job.key, run);
    const t0 = performance.now();
    try {
      const handle = this.profiles.profileAgain(job, { perRecord: true, rrnaMarkers: true }, (p) => (run.progress = p));
      run.poolId = handle.id;
      const profile = await handle.done;
      const records: (RecordProfile | null)[] = profile.recordProfiles ?? [];
      const todo: number[] = [];
      const rows: RecordNeighborRow[] = [];
      records.forEach((r, i) => {
        if (!r || r.acgtBp === 0) return;
        todo.push(i);
        rows.push({ index: i, id: r.id, lengthBp: r.lengthBp, gcFraction: r.gcFraction, rrnaDomain: r.rrna?.domainCall ?? 'unknown', nearest: null });
      });
      run.skipped = records.length - todo.length;
      run.total = todo.length;
      run.status = 'embedding';
      if (run.cancelRequested) throw new AppError('CANCELLED', `${job.name}: cancelled`);
      const modelId = await this.neighbors.ensureModel();
      if (!modelId) throw new AppError('DATA_INVALID', 'the database has no genome model', 'train one on the Model tab');
      const ml = await this.neighbors.ml.remote();
      for (let s = 0; s < todo.length; s += RECORD_BATCH) {
        if (run.cancelRequested) throw new AppError('CANCELLED', `${job.name}: cancelled`);
        const batch = todo.slice(s, s + RECORD_BATCH);
        const counts = batch.map((i) => records[i]!.counts);
        const calls: DomainCall[] = batch.map((i) => records[i]!.rrna?.domainCall ?? 'unknown');
        const r = await ml.recordNeighbors(transfer(counts, counts.map((c) => c.buffer as ArrayBuffer)), calls, 1);
        batch.forEach((i, j) => {
          rows[s + j].nearest = r.neighbors[j][0] ?? null;
          records[i] = null; // its counts now live (detached) in the worker
        });
        run.modelId = r.modelId;
        run.embedded = Math.min(todo.length, s + RECORD_BATCH);
      }
      run.rows = rows;
      run.status = 'done';
    } catch (e) {
      const err = serializeError(e);
      run.error = err;
      run.status = err.code === 'CANCELLED' ? 'cancelled' : 'error';
    } finally {
      run.elapsedMs = performance.now() - t0;
    }
  }

  cancel(key: number): void {
    const run = this.runs.get(key);
    if (!run?.active) return;
    run.cancelRequested = true;
    if (run.status === 'profiling') this.profiles.cancelExtra(run.poolId);
  }

  /** Forgets a finished run (its table goes, the button comes back). */
  clear(key: number): void {
    if (!this.runs.get(key)?.active) this.runs.delete(key);
  }
}

const KEY = Symbol('record-neighbors');

export function setRecordNeighborsStore(store: RecordNeighborsStore): RecordNeighborsStore {
  return setContext(KEY, store);
}

export function getRecordNeighborsStore(): RecordNeighborsStore {
  const store = getContext<RecordNeighborsStore | undefined>(KEY);
  if (!store) throw new Error('RecordNeighborsStore missing: App.svelte sets it up');
  return store;
}
