/**
 * Linking genomes to BacDive strains, and letting a user correct the links.
 *
 * Rules (in this order; a genome gets every link the first two rules find, genus links only as a
 * last resort):
 * 1. strain level — a culture-collection number in the genome's labels (strain text, FASTA headers,
 *    file name, what the user typed; "DSM20231", "DSM:20231", "DSM-20231" all read as DSM 20231) is
 *    one of the strain's numbers in BacDive (culture_collection_numbers or dsm_number), and the
 *    strain's name is compatible with the genome's (same genus or a synonym; a number that points
 *    to another genus is reported, not linked). Also: a strain designation ("K1", "GSS1", "KIN4/I")
 *    in the labels equals the designation of a strain of the same species. Failing both: the labels
 *    say "(type strain)" and BacDive has exactly one type strain under the genome's name (same
 *    subspecies, or none / the nominal one), with no number that contradicts the genome's (a
 *    species has one type strain).
 * 2. species level — every other strain filed under the genome's species name or a synonym
 *    (taxon-names.ts: the 2020 Lactobacillus split, Methanothrix/Methanosaeta, Caulobacter
 *    vibrioides/crescentus, Chlamydia/Chlamydophila, Mycoplasma/Mycoplasmoides, Halobacterium
 *    salinarum/"sp. NRC-1", ...). When the genome names a subspecies that BacDive also has, strains
 *    of other subspecies are left out.
 * 3. genus level — only when rules 1 and 2 found nothing: every strain of the genus (or a synonym genus).
 * Only bacteria, archaea and genomes of unknown type are linked (BacDive holds nothing else).
 * Genomes whose links a user reviewed are never relinked automatically.
 */
import type { Database } from 'sql.js';
import { AppError } from '../core/errors';
import { affirmativeClauses, ccnoVariants, findCcnos } from './culture-collections';
import { propagateGrowth } from './propagate';
import { buildStrainIndex, compactDesignation, type IndexedStrain, type StrainIndex } from './strain-index';
import { genusVariants, LACTOBACILLUS_SPLIT_GENERA, nameKeys, organismNames, speciesVariants } from './taxon-names';

export type LinkLevel = 'strain' | 'species' | 'genus';
export const LINK_LEVELS: readonly LinkLevel[] = ['strain', 'species', 'genus'];

/** One labelled piece of text about a genome, e.g. {source: 'manifest strain', text: 'DSM 20231 (type strain)'}. */
export interface LabelText {
  source: string;
  text: string;
}

export interface GenomeLabels {
  /** Species as labelled, e.g. 'Lactiplantibacillus plantarum' or 'Mycoplasma genitalium (Mycoplasmoides genitalium)'. */
  species?: string | null;
  /** Strain text, headers, file name, user input: searched for numbers, designations and names. */
  texts: LabelText[];
  organismType?: string | null;
}

export interface ProposedLink {
  strainId: number;
  level: LinkLevel;
  evidence: string;
}

export interface LinkProposal {
  links: ProposedLink[];
  /** Best level found, or null when nothing links. */
  level: LinkLevel | null;
  /** Things a reviewer should know: numbers that point to another species, types we do not link, ... */
  notes: string[];
}

const LINKABLE_TYPES = new Set(['bacteria', 'archaea', 'unknown']);
const SPLIT = new Set(LACTOBACILLUS_SPLIT_GENERA.map((g) => g.toLowerCase()));

/** Compact tokens and 2-3 token windows of a text, for designation matching. */
function designationCandidates(text: string): Set<string> {
  const out = new Set<string>();
  for (const clause of affirmativeClauses(text)) {
    const tokens = clause.split(/[\s=,]+/).filter(Boolean);
    for (let i = 0; i < tokens.length; i++) {
      let acc = '';
      for (let j = i; j < Math.min(tokens.length, i + 3); j++) {
        acc += compactDesignation(tokens[j]);
        if (acc) out.add(acc);
      }
    }
  }
  return out;
}

/** Designations specific enough to identify a strain within its species: >= 3 characters, or a letter and a digit. */
function usableDesignation(d: string): boolean {
  return d.length >= 3 || (d.length === 2 && /[A-Z]/.test(d) && /\d/.test(d));
}

function speciesText(labels: GenomeLabels): string | null {
  const sp = labels.species?.trim();
  if (!sp) return null;
  if (/\bsubsp\./.test(sp)) return sp;
  // Manifest strains often start with the subspecies: "subsp. lactis DSM 20072".
  for (const t of labels.texts) {
    const m = /^\s*subsp\.\s+([a-z][a-z-]+)/.exec(t.text);
    if (m) return `${sp} subsp. ${m[1]}`;
  }
  return sp;
}

/** Works out links from labels alone (no database writes). */
export function proposeLinks(index: StrainIndex, labels: GenomeLabels): LinkProposal {
  const notes: string[] = [];
  const type = labels.organismType ?? 'unknown';
  if (!LINKABLE_TYPES.has(type)) {
    return { links: [], level: null, notes: [`organism type ${type}: BacDive lists bacteria and archaea only, not linked`] };
  }
  const texts = labels.texts.filter((t) => t.text && t.text.trim());
  const names = organismNames(speciesText(labels), texts.map((t) => t.text));
  const variants = new Set<string>();
  const subVariants = new Set<string>();
  const genera = new Set<string>();
  const nameOfVariant = new Map<string, string>();
  for (const n of names) {
    const k = nameKeys(n);
    if (k.genus) for (const g of genusVariants(k.genus)) genera.add(g);
    for (const v of speciesVariants(k)) {
      variants.add(v);
      if (!nameOfVariant.has(v)) nameOfVariant.set(v, n);
      if (k.subspecies && v.includes(' subsp. ')) subVariants.add(v);
    }
  }

  // Species-level candidates.
  const bySpecies = new Map<number, string>(); // strain id -> matched key
  for (const v of variants) {
    for (const id of index.byBinomial.get(v) ?? []) if (!bySpecies.has(id)) bySpecies.set(id, v);
    for (const id of index.bySubspecies.get(v) ?? []) if (!bySpecies.has(id)) bySpecies.set(id, v);
  }
  if (subVariants.size) {
    const inSub = [...bySpecies.keys()].filter((id) => [...index.strains.get(id)!.subspecies].some((s) => subVariants.has(s)));
    if (inSub.length) {
      for (const id of [...bySpecies.keys()]) {
        const s = index.strains.get(id)!;
        if (s.subspecies.size && ![...s.subspecies].some((x) => subVariants.has(x))) bySpecies.delete(id);
      }
    }
  }

  const compatible = (s: IndexedStrain) => {
    if (genera.size === 0) return true;
    for (const g of s.genera) {
      if (genera.has(g)) return true;
      if (SPLIT.has(g) && genera.has('lactobacillus')) return true;
      if (g === 'lactobacillus' && [...genera].some((x) => SPLIT.has(x))) return true;
    }
    return [...s.binomials].some((b) => variants.has(b));
  };

  // Strain level: culture-collection numbers.
  const strainLinks = new Map<number, string>();
  for (const t of texts) {
    for (const ccno of findCcnos(t.text)) {
      const ids = new Set<number>();
      for (const v of ccnoVariants(ccno)) for (const id of index.byCcno.get(v) ?? []) ids.add(id);
      for (const id of ids) {
        const s = index.strains.get(id)!;
        if (!compatible(s)) {
          notes.push(`${ccno} (${t.source}) is BacDive ${id} ${s.species ?? '(no name)'}, which does not match ${names.join(' / ') || 'the genome'}: not linked`);
          continue;
        }
        if (!strainLinks.has(id)) strainLinks.set(id, `${ccno} in ${t.source}`);
      }
    }
  }
  // Strain level: designation within the species.
  const candidates = new Map<string, string>(); // compact token -> source
  for (const t of texts) for (const c of designationCandidates(t.text)) if (!candidates.has(c)) candidates.set(c, t.source);
  for (const id of bySpecies.keys()) {
    if (strainLinks.has(id)) continue;
    const s = index.strains.get(id)!;
    const d = s.designations.find((x) => usableDesignation(x) && candidates.has(x));
    if (d) strainLinks.set(id, `designation ${d} in ${candidates.get(d)} (species ${s.species})`);
  }

  // Strain level: the labels say "(type strain)" and BacDive has exactly one type strain under the
  // genome's name (same subspecies, or none / the nominal one) whose numbers do not contradict the
  // genome's (a number in the same collection that differs).
  const saysTypeStrain = texts.some((t) =>
    affirmativeClauses(t.text).some((c) => {
      if (/^\s*type strain\s*$/i.test(c)) return true;
      // "(type strain of subsp. lactis)": the type strain of the subspecies the genome names.
      const sub = /^\s*type strain of subsp\.\s+([a-z-]+)\s*$/i.exec(c);
      return !!sub && [...subVariants].some((v) => v.endsWith(` subsp. ${sub[1].toLowerCase()}`));
    }),
  );
  if (strainLinks.size === 0 && saysTypeStrain) {
    const genomeCcnos = texts.flatMap((t) => findCcnos(t.text));
    const contradicts = (s: IndexedStrain) =>
      genomeCcnos.some((g) => {
        const coll = g.split(' ')[0];
        const same = s.ccnos.filter((c) => c.split(' ')[0] === coll);
        return same.length > 0 && !same.includes(g);
      });
    // A subspecies named after its species ("L. mesenteroides subsp. mesenteroides") has the species' type strain.
    const nominal = (sub: string) => {
      const [g, e, , x] = sub.split(' ');
      return x === e && !!g;
    };
    const subspeciesFits = (s: IndexedStrain) => {
      if (s.subspecies.size === 0) return subVariants.size === 0 || [...subVariants].some(nominal);
      return [...s.subspecies].some((x) => subVariants.has(x) || (subVariants.size === 0 && nominal(x)));
    };
    const all = [...bySpecies.keys()].map((id) => index.strains.get(id)!).filter((s) => s.isTypeStrain && subspeciesFits(s));
    const types = all.filter((s) => !contradicts(s));
    if (types.length === 1) {
      const s = types[0];
      strainLinks.set(s.id, `type strain: the labels say "type strain" and bacdive:${s.id} is BacDive's only type strain of ${s.species}`);
    } else if (types.length > 1) {
      notes.push(`${types.length} BacDive type strains under this name (${types.map((s) => `bacdive:${s.id}`).join(', ')}): not linked at strain level`);
    } else if (all.length) {
      notes.push(`BacDive's type strain(s) of this name (${all.map((s) => `bacdive:${s.id} ${s.ccnos.join(', ')}`).join('; ')}) carry numbers that differ from ${genomeCcnos.join(', ')}: not linked at strain level`);
    }
  }

  const links: ProposedLink[] = [];
  for (const [strainId, evidence] of [...strainLinks].sort((a, b) => a[0] - b[0])) links.push({ strainId, level: 'strain', evidence });
  for (const [strainId, key] of [...bySpecies].sort((a, b) => a[0] - b[0])) {
    if (strainLinks.has(strainId)) continue;
    const s = index.strains.get(strainId)!;
    const genomeName = nameOfVariant.get(key) ?? key;
    const same = nameKeys(genomeName).species === key || nameKeys(genomeName).subspecies === key;
    links.push({
      strainId,
      level: 'species',
      evidence: same ? `species name ${genomeName}` : `species synonym ${genomeName} = ${s.species ?? key}`,
    });
  }
  if (links.length === 0 && genera.size) {
    const ids = new Set<number>();
    for (const g of genera) for (const id of index.byGenus.get(g) ?? []) ids.add(id);
    const genusLabel = [...genera].map((g) => g[0].toUpperCase() + g.slice(1)).join('/');
    for (const strainId of [...ids].sort((a, b) => a - b)) {
      links.push({ strainId, level: 'genus', evidence: `genus ${genusLabel} (no strain or species match)` });
    }
  }
  if (names.length === 0) notes.push('no organism name in the labels');
  const level = links.length ? links[0].level : null;
  return { links, level, notes };
}

export interface LinkResult extends LinkProposal {
  genomeId: number;
  /** True when the genome's links were reviewed by a user and left unchanged. */
  keptReviewed: boolean;
}

function hasReviewedLinks(db: Database, genomeId: number): boolean {
  const r = db.exec('SELECT 1 FROM genome_strain_links WHERE genome_id = ? AND reviewed_by_user = 1 LIMIT 1', [genomeId]);
  return r.length > 0;
}

function writeLinks(db: Database, genomeId: number, links: ProposedLink[], reviewed: 0 | 1) {
  const stmt = db.prepare('INSERT INTO genome_strain_links (genome_id, strain_id, level, evidence, reviewed_by_user) VALUES (?,?,?,?,?)');
  try {
    for (const l of links) stmt.run([genomeId, l.strainId, l.level, l.evidence, reviewed]);
  } finally {
    stmt.free();
  }
}

/** Sets genomes.ncbi_taxid from the links: the strain-level strain's taxon, else the most common taxon at the best level. */
function updateGenomeTaxid(db: Database, genomeId: number) {
  db.run(
    `UPDATE genomes SET ncbi_taxid = (
       SELECT s.ncbi_taxid FROM genome_strain_links l JOIN strains s ON s.id = l.strain_id
       WHERE l.genome_id = ?1 AND s.ncbi_taxid IS NOT NULL AND l.level IN ('strain', 'species')
       GROUP BY l.level, s.ncbi_taxid
       ORDER BY CASE l.level WHEN 'strain' THEN 0 ELSE 1 END, count(*) DESC, s.ncbi_taxid
       LIMIT 1)
     WHERE id = ?1`,
    [genomeId],
  );
}

/**
 * Replaces a genome's automatic links with those its labels give, then re-propagates its growth.
 * Leaves genomes with user-reviewed links alone (keptReviewed = true).
 */
export function linkGenome(db: Database, genomeId: number, labels: GenomeLabels, index: StrainIndex = buildStrainIndex(db)): LinkResult {
  if (hasReviewedLinks(db, genomeId)) {
    return { genomeId, links: [], level: null, notes: ['links reviewed by a user: left unchanged'], keptReviewed: true };
  }
  const proposal = proposeLinks(index, labels);
  db.exec('SAVEPOINT link_genome');
  try {
    db.run('DELETE FROM genome_strain_links WHERE genome_id = ?', [genomeId]);
    writeLinks(db, genomeId, proposal.links, 0);
    updateGenomeTaxid(db, genomeId);
    propagateGrowth(db, [genomeId]);
    db.exec('RELEASE link_genome');
  } catch (e) {
    db.exec('ROLLBACK TO link_genome; RELEASE link_genome');
    throw e;
  }
  return { genomeId, ...proposal, keptReviewed: false };
}

/** Labels of a stored genome (species, strain text, first header, file name), for relinking from the database alone. */
export function storedGenomeLabels(db: Database, genomeId: number): GenomeLabels {
  const r = db.exec('SELECT species, strain, first_header, source_file, organism_type FROM genomes WHERE id = ?', [genomeId]);
  if (!r.length) throw new AppError('BAD_OPTION', `genome ${genomeId} does not exist`);
  const [species, strain, header, file, type] = r[0].values[0] as (string | null)[];
  const texts: LabelText[] = [];
  if (strain) texts.push({ source: 'strain label', text: strain });
  if (header) texts.push({ source: 'FASTA header', text: header });
  if (file) texts.push({ source: 'file name', text: file.split(/[\\/]/).pop()! });
  return { species, texts, organismType: type };
}

/**
 * A user's decision about a genome's link, which replaces all its links and is marked reviewed:
 * - strainId null: no BacDive strain matches (stored as one 'none' row, so relinking keeps it);
 * - level 'strain': the genome IS that strain (the strain's species-mates are added at species level);
 * - level 'species' / 'genus': the genome belongs with every strain of that strain's species / genus.
 * Growth is propagated again for the genome. Returns the number of link rows written.
 */
export function setGenomeLink(
  db: Database,
  genomeId: number,
  strainId: number | null,
  level: LinkLevel,
  evidence: string,
  index?: StrainIndex,
): number {
  if (!db.exec('SELECT 1 FROM genomes WHERE id = ?', [genomeId]).length) {
    throw new AppError('BAD_OPTION', `genome ${genomeId} does not exist`);
  }
  if (!LINK_LEVELS.includes(level)) throw new AppError('BAD_OPTION', `link level '${String(level)}' is not strain, species or genus`);
  const note = evidence.trim() || 'set by user';
  const links: ProposedLink[] = [];
  if (strainId !== null) {
    const idx = index ?? buildStrainIndex(db);
    const s = idx.strains.get(strainId);
    if (!s) throw new AppError('BAD_OPTION', `strain bacdive:${strainId} is not in the database`);
    if (level === 'strain') links.push({ strainId, level: 'strain', evidence: note });
    const mates = new Set<number>();
    if (level === 'genus') {
      for (const g of s.genera) for (const id of idx.byGenus.get(g) ?? []) mates.add(id);
    } else {
      const keys = s.subspecies.size ? s.subspecies : s.binomials;
      for (const k of keys) for (const id of (s.subspecies.size ? idx.bySubspecies : idx.byBinomial).get(k) ?? []) mates.add(id);
    }
    const mateLevel: LinkLevel = level === 'genus' ? 'genus' : 'species';
    for (const id of [...mates].sort((a, b) => a - b)) {
      if (level === 'strain' && id === strainId) continue;
      links.push({
        strainId: id,
        level: mateLevel,
        evidence: id === strainId ? note : `${mateLevel} of bacdive:${strainId} (${note})`,
      });
    }
  }
  db.exec('SAVEPOINT set_link');
  try {
    db.run('DELETE FROM genome_strain_links WHERE genome_id = ?', [genomeId]);
    if (strainId === null) {
      db.run("INSERT INTO genome_strain_links (genome_id, strain_id, level, evidence, reviewed_by_user) VALUES (?, NULL, 'none', ?, 1)", [genomeId, note]);
    } else {
      writeLinks(db, genomeId, links, 1);
    }
    updateGenomeTaxid(db, genomeId);
    propagateGrowth(db, [genomeId]);
    db.exec('RELEASE set_link');
  } catch (e) {
    db.exec('ROLLBACK TO set_link; RELEASE set_link');
    throw e;
  }
  return strainId === null ? 1 : links.length;
}

/** Links of a genome, best level first. */
export function genomeLinks(db: Database, genomeId: number) {
  const r = db.exec(
    `SELECT l.strain_id, l.level, l.evidence, l.reviewed_by_user, s.species, s.dsm_number
     FROM genome_strain_links l LEFT JOIN strains s ON s.id = l.strain_id
     WHERE l.genome_id = ?
     ORDER BY CASE l.level WHEN 'strain' THEN 0 WHEN 'species' THEN 1 WHEN 'genus' THEN 2 ELSE 3 END, l.strain_id`,
    [genomeId],
  );
  return (r[0]?.values ?? []).map(([strainId, level, evidence, reviewed, species, dsm]) => ({
    strainId: strainId as number | null,
    level: level as LinkLevel | 'none',
    evidence: evidence as string,
    reviewedByUser: reviewed === 1,
    species: species as string | null,
    dsmNumber: dsm as string | null,
  }));
}

/** The BacDive strains a genome is linked to (any level). */
export function linkedStrainIds(db: Database, genomeId: number): Set<number> {
  return new Set(genomeLinks(db, genomeId).flatMap((l) => (l.strainId === null ? [] : [l.strainId])));
}
