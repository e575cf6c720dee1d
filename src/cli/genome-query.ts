/**
 * What `mediaforge recommend` and `mediaforge generate` share: the condition flags (the handle for
 * counterfactuals) and turning a FASTA file into a GenomeQuery — profiled with rRNA markers and
 * protein features under the neutral name 'query' (headers and file names never reach the
 * answer), embedded with the database's genome VAE.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Database } from 'sql.js';
import { AppError, isAppError } from '../core/errors';
import { profileSource } from '../core/profile';
import type { GenomeProfile } from '../core/profile-types';
import { PROTEIN_FEATURE_NAMES } from '../core/protein-features';
import type { GenomeQuery, GrowthConditions } from '../media/media-api-types';
import { readGenomeVae } from '../ml/bundle-model';
import { instantiateGenomeVae } from '../ml/genome-vae-model';
import { initNodeBackend } from '../ml/node-backend';
import { embedProfiles } from '../ml/train-pipeline';
import { UsageError } from './cli-error';
import { numberOption } from './command-args';
import { nodeFileSource } from './node-source';

/** parseArgs options of the condition flags. */
export const CONDITION_OPTIONS = {
  temperature: { type: 'string' },
  salinity: { type: 'string' },
  ph: { type: 'string' },
  anaerobic: { type: 'boolean', default: false },
  aerobic: { type: 'boolean', default: false },
} as const;

export const CONDITION_HELP = `  --temperature C    growth temperature, °C, instead of the predicted one (-20 to 130)
  --salinity PCT     NaCl, % w/v, instead of the predicted one (0 to 40)
  --ph PH            growth pH instead of the predicted one (0 to 14)
  --anaerobic        the organism does not tolerate oxygen (--aerobic: it does)`;

/** The conditions given on the command line (only those given). */
export function conditionEdits(v: { temperature?: string; salinity?: string; ph?: string; anaerobic?: boolean; aerobic?: boolean }): Partial<GrowthConditions> {
  if (v.anaerobic && v.aerobic) throw new UsageError('give --anaerobic or --aerobic, not both');
  const edits: Partial<GrowthConditions> = {};
  const t = numberOption(v, 'temperature', { min: -20, max: 130 });
  if (t !== undefined) edits.temperatureC = t;
  const s = numberOption(v, 'salinity', { min: 0, max: 40 });
  if (s !== undefined) edits.salinityPct = s;
  const ph = numberOption(v, 'ph', { min: 0, max: 14 });
  if (ph !== undefined) edits.ph = ph;
  if (v.anaerobic) edits.oxygenTolerant = false;
  if (v.aerobic) edits.oxygenTolerant = true;
  return edits;
}

const QUERY_NAME = 'query';

/** Profiles FILE for a query (k-mers, rRNA markers, protein features); refuses a file with no A/C/G/T. */
export async function profileQueryFile(file: string): Promise<GenomeProfile> {
  if (!existsSync(resolve(file))) throw new AppError('FILE_NOT_FOUND', `${file}: no such file`, 'give a FASTA or FASTA.gz file');
  // The source is named 'query': nothing downstream sees the file name. A refusal names the file.
  const profile = await profileSource(nodeFileSource(resolve(file), QUERY_NAME), { rrnaMarkers: true, proteinFeatures: true }).catch((e: unknown) => {
    throw isAppError(e) && e.message.startsWith(`${QUERY_NAME}: `) ? new AppError(e.code, `${file}: ${e.message.slice(QUERY_NAME.length + 2)}`, e.hint) : e;
  });
  if (profile.acgtBp === 0) throw new AppError('FASTA_NO_SEQUENCE', `${file}: no A, C, G or T in any record`, 'give a nucleotide FASTA file');
  return profile;
}

/** The query of a profile: embedded with the database's active genome VAE (or `genomeModelId`), when it has one. */
export async function genomeQueryOf(db: Database, profile: GenomeProfile, genomeModelId?: string | null): Promise<{ query: GenomeQuery; genomeModelFound: boolean }> {
  const model = genomeModelId === undefined ? readGenomeVae(db) : genomeModelId ? readGenomeVae(db, genomeModelId) : null;
  let latent: Float32Array | null = null;
  if (model) {
    await initNodeBackend('wasm');
    const vae = instantiateGenomeVae(model);
    try {
      latent = embedProfiles(vae, [profile]);
    } finally {
      vae.dispose();
    }
  }
  const protein = profile.protein ? Float32Array.from(PROTEIN_FEATURE_NAMES, (n) => profile.protein!.features[n]) : null;
  return {
    query: { counts: profile.counts, gcFraction: profile.gcFraction, domainCall: profile.rrna?.domainCall ?? 'unknown', protein, latent, genomeId: null, ssuRegion: profile.rrna?.ssuRegion ?? null },
    genomeModelFound: model !== null,
  };
}
