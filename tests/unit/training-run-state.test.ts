/**
 * The state logic of a training run, shared by the genome VAE and the recipe CVAE on the Model tab
 * (src/ui/stores/training-run-state.ts): which statuses run and which controls apply, what a
 * resume does with what the database holds, how a run ends, the wording both panels share, the
 * checkpoint queue (a newer checkpoint replaces one still waiting; a failed write does not stop
 * later ones), and the run key in localStorage, in the format earlier versions wrote (a run
 * started before an update still resumes after it).
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  canCancel,
  canPause,
  canResume,
  EMBEDDING_CANCELLED_MESSAGE,
  endOfRun,
  isRunning,
  lastEpoch,
  LatestOnlyQueue,
  NO_EPOCH_MESSAGE,
  planResume,
  runIdFor,
  runKeyStore,
  sharedStatusText,
  type TrainStatus,
} from '../../src/ui/stores/training-run-state';

const ALL: TrainStatus[] = ['idle', 'loading', 'training', 'paused', 'cancelling', 'finishing', 'done', 'stopped', 'cancelled', 'error'];

describe('statuses and controls', () => {
  it('counts loading, training, paused, cancelling and finishing as running, and nothing else', () => {
    expect(ALL.filter(isRunning)).toEqual(['loading', 'training', 'paused', 'cancelling', 'finishing']);
  });

  it('pauses only while training, resumes only while paused, cancels while training, paused or finishing', () => {
    expect(ALL.filter(canPause)).toEqual(['training']);
    expect(ALL.filter(canResume)).toEqual(['paused']);
    expect(ALL.filter(canCancel)).toEqual(['training', 'paused', 'finishing']);
  });

  it('names a run after its kind and its start time to the millisecond', () => {
    expect(runIdFor('genome-vae', '2026-12-01T17:12:03.045Z')).toBe('genome-vae-run-20261201171203045');
    expect(runIdFor('recipe-cvae', '2026-01-02T03:04:05.006Z')).toBe('recipe-cvae-run-20260102030405006');
  });

  it('takes the epoch of the last finished epoch, 0 before the first', () => {
    expect(lastEpoch([])).toBe(0);
    expect(lastEpoch([{ epoch: 4 }, { epoch: 5 }, { epoch: 6 }])).toBe(6);
  });
});

describe('resuming a run', () => {
  it('continues from a checkpoint whenever the database has one', () => {
    expect(planResume(true)).toBe('continue');
    expect(planResume(true, { checkpointEpoch: 3 })).toBe('continue');
    expect(planResume(true, {})).toBe('continue');
  });

  it('forgets a reloaded run whose checkpoints were written and are gone (saved as a model or discarded)', () => {
    expect(planResume(false, { checkpointEpoch: 3 })).toBe('forget');
  });

  it('restarts from epoch 0 a reloaded run that had no checkpoint yet', () => {
    expect(planResume(false, {})).toBe('restart');
    expect(planResume(false, { checkpointEpoch: 0 })).toBe('restart');
  });

  it('has nothing to go on with for a stored run without a checkpoint', () => {
    expect(planResume(false)).toBe('missing');
    expect(planResume(false, null)).toBe('missing');
  });
});

describe('the end of a run', () => {
  it('a trained model is saved: done, or stopped early with the message when the loss turned non-finite', () => {
    expect(endOfRun({ hasModel: true, stoppedBy: 'done', message: null })).toEqual({ status: 'done', message: null, checkpoint: 'saved' });
    const nan = 'the loss became NaN in epoch 7; the weights of epoch 6 are kept';
    expect(endOfRun({ hasModel: true, stoppedBy: 'non-finite', message: nan })).toEqual({ status: 'stopped', message: nan, checkpoint: 'saved' });
  });

  it('a cancel in training deletes the checkpoint and leaves the message as it was', () => {
    expect(endOfRun({ hasModel: false, stoppedBy: 'cancelled', message: null, cancelledIn: 'training' })).toEqual({ status: 'cancelled', message: undefined, checkpoint: 'delete' });
    // The recipe CVAE's outcome has no cancelledIn.
    expect(endOfRun({ hasModel: false, stoppedBy: 'cancelled', message: null })).toEqual({ status: 'cancelled', message: undefined, checkpoint: 'delete' });
  });

  it('a cancel while embedding keeps the checkpoint (the trained weights) for a resume, and says so', () => {
    expect(endOfRun({ hasModel: false, stoppedBy: 'cancelled', message: null, cancelledIn: 'embedding' })).toEqual({ status: 'cancelled', message: EMBEDDING_CANCELLED_MESSAGE, checkpoint: 'keep' });
  });

  it('no model and no cancel: stopped, with the worker message or the reason in words', () => {
    expect(endOfRun({ hasModel: false, stoppedBy: 'non-finite', message: 'the loss became NaN in epoch 1' })).toEqual({ status: 'stopped', message: 'the loss became NaN in epoch 1', checkpoint: 'delete' });
    expect(endOfRun({ hasModel: false, stoppedBy: 'done', message: null })).toEqual({ status: 'stopped', message: NO_EPOCH_MESSAGE, checkpoint: 'delete' });
  });
});

describe('the words both run panels share', () => {
  const base = { epoch: 3, epochs: 20, message: null, errorMessage: null, pausedIn: null };

  it('a pause inside an epoch names the batch; between epochs, the epoch', () => {
    expect(sharedStatusText({ ...base, status: 'paused', pausedIn: { epoch: 4, done: 9, total: 375 } })).toBe('Paused in epoch 4 of 20, after batch 9 of 375');
    expect(sharedStatusText({ ...base, status: 'paused', pausedIn: { epoch: 4, done: 375, total: 375 } })).toBe('Paused after epoch 3 of 20');
    expect(sharedStatusText({ ...base, status: 'paused' })).toBe('Paused after epoch 3 of 20');
  });

  it('cancelling, cancelled, stopped with its reason, and the error message', () => {
    expect(sharedStatusText({ ...base, status: 'cancelling' })).toBe('Cancelling…');
    expect(sharedStatusText({ ...base, status: 'cancelled' })).toBe('Cancelled.');
    expect(sharedStatusText({ ...base, status: 'stopped', message: 'the loss became NaN in epoch 7' })).toBe('Stopped early: the loss became NaN in epoch 7');
    expect(sharedStatusText({ ...base, status: 'error', errorMessage: 'the ML worker stopped unexpectedly' })).toBe('Error: the ML worker stopped unexpectedly');
    expect(sharedStatusText({ ...base, status: 'error' })).toBe('Error: unknown');
  });

  it('leaves each model its own words for idle, loading, training, finishing and done', () => {
    for (const status of ['idle', 'loading', 'training', 'finishing', 'done'] as const) expect(sharedStatusText({ ...base, status })).toBeNull();
  });
});

/** A promise with its resolve/reject, to hold a save in flight. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('the checkpoint queue', () => {
  it('writes one at a time; a newer checkpoint replaces one still waiting; settled() waits for the last write', async () => {
    const started: number[] = [];
    const writes: ReturnType<typeof deferred>[] = [];
    const q = new LatestOnlyQueue<number>(
      (n) => {
        started.push(n);
        const d = deferred();
        writes.push(d);
        return d.promise;
      },
      (e) => {
        throw e;
      },
    );
    q.push(1);
    await Promise.resolve();
    expect(started).toEqual([1]);
    q.push(2);
    q.push(3); // replaces 2, which has not started
    await new Promise((ok) => setTimeout(ok, 0));
    expect(started).toEqual([1]); // one write at a time
    let settled = false;
    void q.settled().then(() => (settled = true));
    writes[0].resolve();
    await new Promise((ok) => setTimeout(ok, 0));
    expect(started).toEqual([1, 3]);
    expect(settled).toBe(false);
    writes[1].resolve();
    await q.settled();
    expect(started).toEqual([1, 3]);
  });

  it('hands a failed write to onError and goes on with the next checkpoint', async () => {
    const saved: number[] = [];
    const failed: [string, number][] = [];
    const q = new LatestOnlyQueue<number>(
      async (n) => {
        if (n === 1) throw new Error('the database is full');
        saved.push(n);
      },
      (e, n) => failed.push([(e as Error).message, n]),
    );
    q.push(1);
    await q.settled();
    q.push(2);
    await q.settled();
    expect(failed).toEqual([['the database is full', 1]]);
    expect(saved).toEqual([2]);
  });
});

describe('the run key in localStorage', () => {
  const g = globalThis as { localStorage?: Storage };
  afterEach(() => {
    delete g.localStorage;
  });

  function fakeStorage(): Map<string, string> {
    const items = new Map<string, string>();
    g.localStorage = {
      getItem: (k: string) => items.get(k) ?? null,
      setItem: (k: string, v: string) => void items.set(k, String(v)),
      removeItem: (k: string) => void items.delete(k),
    } as Storage;
    return items;
  }

  it('writes the format earlier versions wrote (the options under "config" or "options") and reads it back', () => {
    const items = fakeStorage();
    const genome = runKeyStore<{ epochs: number }>('mediaforge.training.run', 'config');
    genome.write({ runId: 'genome-vae-run-1', options: { epochs: 20 }, startedAt: '2026-12-01T17:00:00.000Z' });
    expect(items.get('mediaforge.training.run')).toBe('{"runId":"genome-vae-run-1","config":{"epochs":20},"startedAt":"2026-12-01T17:00:00.000Z"}');
    genome.write({ ...genome.read()!, checkpointEpoch: 4 });
    expect(JSON.parse(items.get('mediaforge.training.run')!)).toEqual({ runId: 'genome-vae-run-1', config: { epochs: 20 }, startedAt: '2026-12-01T17:00:00.000Z', checkpointEpoch: 4 });
    expect(genome.read()).toEqual({ runId: 'genome-vae-run-1', options: { epochs: 20 }, startedAt: '2026-12-01T17:00:00.000Z', checkpointEpoch: 4 });

    // A key the earlier recipe store wrote.
    items.set('mediaforge.recipe-training.run', '{"runId":"recipe-cvae-run-2","options":{"seed":7},"startedAt":"2026-12-01T17:05:00.000Z","checkpointEpoch":2}');
    const recipe = runKeyStore<{ seed: number }>('mediaforge.recipe-training.run', 'options');
    expect(recipe.read()).toEqual({ runId: 'recipe-cvae-run-2', options: { seed: 7 }, startedAt: '2026-12-01T17:05:00.000Z', checkpointEpoch: 2 });

    genome.write(null);
    expect(items.has('mediaforge.training.run')).toBe(false);
    expect(genome.read()).toBeNull();
    expect(items.has('mediaforge.recipe-training.run')).toBe(true);
  });

  it('reads nothing from an unreadable or foreign value', () => {
    const items = fakeStorage();
    const key = runKeyStore<unknown>('k', 'config');
    items.set('k', '{not json');
    expect(key.read()).toBeNull();
    items.set('k', '{"runId":"r","options":{},"startedAt":"t"}'); // the other kind's field
    expect(key.read()).toBeNull();
  });

  it('without storage (private mode) reads nothing and writes without throwing', () => {
    const key = runKeyStore<unknown>('k', 'config');
    expect(key.read()).toBeNull();
    expect(() => key.write({ runId: 'r', options: {}, startedAt: 't' })).not.toThrow();
  });
});
