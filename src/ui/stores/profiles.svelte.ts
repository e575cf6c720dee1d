/**
 * The Profile page's state: one ProfileJob per dropped file, the worker pool that runs them,
 * and the spectrum plot's selection. Shared with components through context (context.ts).
 */
import type { SerializedAppError } from '../../core/errors';
import { serializeError } from '../../core/errors';
import type { GenomeProfile, ProfileOptions, ProfileProgress } from '../../core/profile-types';
import { ProfilePool, type ProfileJobHandle, type ProfilePoolOptions, type ProfilePoolStats } from '../../runs-on-page/profile-pool';

export type JobStatus = 'queued' | 'running' | 'done' | 'error' | 'cancelled';

/** How often workers report progress, in ms. */
const PROGRESS_INTERVAL_MS = 150;

export class ProfileJob {
  readonly key: number;
  readonly file: File;
  poolId = 0;
  status = $state<JobStatus>('queued');
  progress = $state.raw<ProfileProgress | null>(null);
  profile = $state.raw<GenomeProfile | null>(null);
  error = $state.raw<SerializedAppError | null>(null);

  constructor(key: number, file: File) {
    this.key = key;
    this.file = file;
  }

  get name(): string {
    return this.file.name;
  }

  get active(): boolean {
    return this.status === 'queued' || this.status === 'running';
  }
}

export class ProfilesStore {
  jobs = $state<ProfileJob[]>([]);
  /** Key of the job shown in the spectrum plot (null: the first finished one). */
  selectedKey = $state<number | null>(null);
  /** k of the spectrum plot, 1..6. */
  spectrumK = $state(4);
  poolStats = $state.raw<ProfilePoolStats>({ size: 1, workers: 0, busy: 0, queued: 0 });

  readonly finished = $derived(this.jobs.filter((j) => j.status === 'done' && j.profile));
  readonly profiles = $derived(this.finished.map((j) => j.profile!));
  readonly activeCount = $derived(this.jobs.filter((j) => j.active).length);
  readonly selected = $derived(this.finished.find((j) => j.key === this.selectedKey) ?? this.finished[0] ?? null);

  #pool: ProfilePool;
  #nextKey = 1;

  constructor(poolOptions: ProfilePoolOptions = {}) {
    this.#pool = new ProfilePool({ ...poolOptions, onChange: () => (this.poolStats = this.#pool.stats) });
    this.poolStats = this.#pool.stats;
  }

  /** Starts the workers before the first file arrives (see ProfilePool.warm). */
  warm(): void {
    this.#pool.warm();
  }

  addFiles(files: Iterable<File>): void {
    const jobs = Array.from(files, (file) => new ProfileJob(this.#nextKey++, file));
    this.jobs.push(...jobs); // one update of the list, not one per file
    for (const job of jobs) this.#start(job);
  }

  cancel(job: ProfileJob): void {
    if (job.active) this.#pool.cancel(job.poolId);
  }

  cancelAll(): void {
    this.#pool.cancelAll();
  }

  /** Profiles a cancelled or failed file again. */
  retry(job: ProfileJob): void {
    if (job.active) return;
    job.status = 'queued';
    job.error = null;
    job.progress = null;
    job.profile = null;
    this.#start(job);
  }

  remove(job: ProfileJob): void {
    this.cancel(job);
    this.jobs = this.jobs.filter((j) => j !== job);
  }

  clearFinished(): void {
    this.jobs = this.jobs.filter((j) => j.active);
  }

  /**
   * Profiles a finished job's file again with other options (per-record profiles for the
   * neighbours panel) in the same pool; not a row of the table. Cancel with cancelExtra(handle.id).
   */
  profileAgain(job: ProfileJob, options: ProfileOptions, onProgress?: (p: ProfileProgress) => void): ProfileJobHandle {
    return this.#pool.submit(job.file, { progressIntervalMs: PROGRESS_INTERVAL_MS, ...options }, { onProgress });
  }

  cancelExtra(poolId: number): void {
    this.#pool.cancel(poolId);
  }

  select(job: ProfileJob): void {
    this.selectedKey = job.key;
  }

  dispose(): void {
    this.#pool.dispose();
  }

  #start(job: ProfileJob): void {
    const handle = this.#pool.submit(
      job.file,
      // Protein features feed the growth-condition prediction of the Media tab (~0.3 s per 10 Mbp).
      { progressIntervalMs: PROGRESS_INTERVAL_MS, rrnaMarkers: true, proteinFeatures: true },
      {
        onStart: () => (job.status = 'running'),
        onProgress: (p) => (job.progress = p),
      },
    );
    job.poolId = handle.id;
    handle.done.then(
      (profile) => {
        job.profile = profile;
        job.status = 'done';
      },
      (e: unknown) => {
        const err = serializeError(e);
        job.error = err;
        job.status = err.code === 'CANCELLED' ? 'cancelled' : 'error';
      },
    );
  }
}
