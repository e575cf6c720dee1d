/**
 * profileSource: stream a (gzipped) FASTA source once and return its k = 1..6 canonical k-mer
 * profile with composition figures. Used by the CLI (Node file streams), the workers (File.stream())
 * and the snapshot builder alike.
 */
import { AppError } from './errors';
import { FastaKmerScanner } from './fasta-kmer-scanner';
import { ProteinFeatureScanner, resolveProteinFeatureOptions } from './protein-features';
import { RrnaMarkerScanner } from './rrna-markers';
import { YIELD_EVERY_MS, yieldToEventLoop } from './yield';
import { NativeGunzipError, inflateGuard, isGzip, nativeGunzip, peekStream, portableGunzip, type GunzipMode } from './decompress';
import {
  PROFILE_DEFAULTS,
  type ByteSource,
  type GenomeProfile,
  type ProfileHooks,
  type ProfileOptions,
} from './profile-types';

export function resolveProfileOptions(options: ProfileOptions = {}): Required<ProfileOptions> {
  const o = { ...PROFILE_DEFAULTS, ...options };
  if (typeof o.perRecord !== 'boolean') throw new AppError('BAD_OPTION', `perRecord must be true or false, got ${String(o.perRecord)}`);
  if (typeof o.rrnaMarkers !== 'boolean') throw new AppError('BAD_OPTION', `rrnaMarkers must be true or false, got ${String(o.rrnaMarkers)}`);
  if (typeof o.proteinFeatures === 'object' && o.proteinFeatures !== null) resolveProteinFeatureOptions(o.proteinFeatures);
  else if (typeof o.proteinFeatures !== 'boolean') throw new AppError('BAD_OPTION', `proteinFeatures must be true, false or an options object, got ${String(o.proteinFeatures)}`);
  if (!(o.progressIntervalMs >= 0)) throw new AppError('BAD_OPTION', `progressIntervalMs must be >= 0, got ${String(o.progressIntervalMs)}`);
  return o;
}

const now = () => (typeof performance !== 'undefined' ? performance.now() : Date.now());

export async function profileSource(source: ByteSource, options: ProfileOptions = {}, hooks: ProfileHooks = {}): Promise<GenomeProfile> {
  const opts = resolveProfileOptions(options);
  try {
    return await profileOnce(source, opts, hooks, 'native');
  } catch (e) {
    if (!(e instanceof NativeGunzipError)) throw e;
    // Native gunzip failed (Chromium on multi-member gzip, or a damaged file): start over
    // with the portable decoder, which reads every member and names truncation precisely.
    return profileOnce(source, opts, hooks, 'portable');
  }
}

function cancelled(name: string): AppError {
  return new AppError('CANCELLED', `${name}: cancelled`);
}

async function profileOnce(source: ByteSource, opts: Required<ProfileOptions>, hooks: ProfileHooks, mode: GunzipMode): Promise<GenomeProfile> {
  const { signal, onProgress } = hooks;
  const t0 = now();
  if (signal?.aborted) throw cancelled(source.name);

  let bytesRead = 0;
  let sourceError: unknown = null;
  const counting = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      bytesRead += chunk.length;
      controller.enqueue(chunk);
    },
  });

  let raw: ReadableStream<Uint8Array>;
  try {
    raw = source.open();
  } catch (e) {
    throw toSourceError(source.name, e);
  }
  const peeked = await peekStream(raw, (e) => (sourceError = e)).catch((e: unknown) => {
    throw toSourceError(source.name, e);
  });
  const gzip = isGzip(peeked.head);
  if (peeked.head.length === 0) {
    throw new AppError('FILE_EMPTY', `${source.name}: the file is empty (0 bytes)`, 'choose a FASTA file with at least one ">" header line and its sequence');
  }
  let stream = peeked.stream.pipeThrough(counting);
  if (gzip) {
    stream = stream
      .pipeThrough(mode === 'native' ? nativeGunzip() : portableGunzip(source.name))
      .pipeThrough(inflateGuard(source.name, () => bytesRead));
  }

  const scanner = new FastaKmerScanner(source.name, { perRecord: opts.perRecord });
  const rrna = opts.rrnaMarkers ? new RrnaMarkerScanner() : null;
  const protein = opts.proteinFeatures
    ? new ProteinFeatureScanner({ ...(typeof opts.proteinFeatures === 'object' ? opts.proteinFeatures : {}), perRecord: opts.perRecord })
    : null;
  const reader = stream.getReader();
  let lastReport = t0;
  let lastYield = t0;
  const report = () => {
    const t = now();
    const elapsedMs = t - t0;
    const basesDone = scanner.basesScanned();
    const total = source.size;
    const rate = elapsedMs > 0 ? bytesRead / elapsedMs : 0;
    onProgress?.({
      name: source.name,
      bytesRead,
      totalBytes: total,
      basesDone,
      elapsedMs,
      mbpPerSec: elapsedMs > 0 ? basesDone / elapsedMs / 1000 : 0,
      etaSec: total && rate > 0 ? Math.max(0, (total - bytesRead) / rate / 1000) : undefined,
    });
    lastReport = t;
  };

  try {
    for (;;) {
      if (signal?.aborted) throw cancelled(source.name);
      let result: ReadableStreamReadResult<Uint8Array>;
      try {
        result = await reader.read();
      } catch (e) {
        if (sourceError) throw toSourceError(source.name, sourceError);
        if (e instanceof AppError) throw e;
        if (gzip && mode === 'native') throw new NativeGunzipError(String(e));
        throw toSourceError(source.name, e);
      }
      if (result.done) break;
      scanner.push(result.value);
      rrna?.push(result.value);
      protein?.push(result.value);
      const t = now();
      if (onProgress && t - lastReport >= opts.progressIntervalMs) report();
      if (t - lastYield >= YIELD_EVERY_MS) {
        await yieldToEventLoop(); // let a cancel message (or a timer) run
        lastYield = now();
      }
    }
  } catch (e) {
    reader.cancel().catch(() => {});
    throw e;
  }

  const { warnings, ...totals } = scanner.finish();
  const rrnaWhole = rrna?.finish();
  if (rrna && opts.perRecord) {
    const byRecord = rrna.finishByRecord();
    scanner.records.forEach((r, i) => {
      const e = byRecord.get(i + 1);
      if (e) r.rrna = e;
    });
  }
  const proteinWhole = protein?.finish();
  if (protein && opts.perRecord) {
    const byRecord = protein.finishByRecord();
    scanner.records.forEach((r, i) => {
      const e = byRecord[i];
      if (e) r.protein = e;
    });
  }
  if (onProgress) report();
  return {
    name: source.name,
    fileBytes: source.size ?? bytesRead,
    gzip,
    ...totals,
    recordProfiles: opts.perRecord ? scanner.records : undefined,
    ...(rrnaWhole ? { rrna: rrnaWhole } : {}),
    ...(proteinWhole ? { protein: proteinWhole } : {}),
    ...(warnings.length > 0 ? { warnings } : {}),
    elapsedMs: now() - t0,
  };
}

function toSourceError(name: string, e: unknown): AppError {
  if (e instanceof AppError) return e;
  const err = e as { code?: string; message?: string };
  if (err?.code === 'ENOENT') return new AppError('FILE_NOT_FOUND', `${name}: no such file`, 'check the path');
  if (err?.code === 'EISDIR') return new AppError('FILE_NOT_FOUND', `${name}: is a directory, not a file`, 'give the path of a FASTA file');
  if (err?.code === 'EACCES') return new AppError('FILE_NOT_FOUND', `${name}: permission denied`, 'check the file permissions');
  return new AppError('INTERNAL', `${name}: could not be read (${err?.message ?? String(e)})`);
}
