/**
 * What a profiling worker does, as plain functions (workers/profile.worker.ts only exposes it).
 * The page hands over the File itself (a cheap structured-clone handle): the bytes are read with
 * file.stream() inside the worker and never cross the main thread. Counts come back as
 * transferables. One AbortController per job; profileSource yields to the event loop every
 * ~16 ms (src/core/yield.ts), so a cancel() message is handled while a job runs.
 */
import { releaseProxy, transfer } from 'comlink';
import { AppError } from '../core/errors';
import { profileSource } from '../core/profile';
import type { GenomeProfile, ProfileOptions, ProfileProgress } from '../core/profile-types';
import { blobSource } from '../core/sources';

/** A progress callback; from the page it arrives as a Comlink proxy (calls return promises). */
export type ProgressCallback = ((p: ProfileProgress) => unknown) & { [releaseProxy]?: () => void };

const jobs = new Map<number, AbortController>();

export const profileWorkerApi = {
  async profile(jobId: number, file: Blob, name: string, options: ProfileOptions = {}, onProgress?: ProgressCallback): Promise<GenomeProfile> {
    if (jobs.has(jobId)) throw new AppError('INTERNAL', `${name}: job ${jobId} is already running in this worker`);
    const controller = new AbortController();
    jobs.set(jobId, controller);
    try {
      const profile = await profileSource(blobSource(file, name), options, {
        signal: controller.signal,
        // Fire and forget: never wait for the page to acknowledge progress.
        onProgress: onProgress ? (p) => void Promise.resolve(onProgress(p)).catch(() => {}) : undefined,
      });
      return transfer(profile, transferablesOf(profile));
    } finally {
      jobs.delete(jobId);
      onProgress?.[releaseProxy]?.();
    }
  },

  /** Aborts a running job (its profile() call then rejects with code CANCELLED). Unknown ids are ignored. */
  cancel(jobId: number): boolean {
    const controller = jobs.get(jobId);
    controller?.abort();
    return controller !== undefined;
  },

  /** Jobs currently running in this worker (for leak checks). */
  activeJobs(): number {
    return jobs.size;
  },
};

export type ProfileWorkerApi = typeof profileWorkerApi;

function transferablesOf(p: GenomeProfile): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>([p.counts.buffer as ArrayBuffer]);
  for (const r of p.recordProfiles ?? []) buffers.add(r.counts.buffer as ArrayBuffer);
  return [...buffers];
}
