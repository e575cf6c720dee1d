/**
 * The ingredient vocabulary that media vectors are built on (see media-vectors.ts). Pure sql.js:
 * runs in Node (CLI, tests) and in the database worker.
 *
 * Rules (describeVocabulary() gives them with the numbers of a build, for the README):
 * 1. **Water is not an ingredient.** Distilled, deionized, demineralized, double-distilled, Milli-Q and
 *    tap water, "H2O", "Water" (by name or MediaDive base group) are the solvent and are left out.
 *    Tap water's minerals are not quantified by MediaDive, so it counts as solvent too. Sea water,
 *    salt water and sea salts are ingredients (they are the salt source).
 * 2. **Near-duplicates are merged into one entry** ("class"), by a union of two keys:
 *    - defined compounds (MediaDive `is_complex = 0`, or any name with a hydrate suffix such as
 *      "x 7 H2O"): the same MediaDive base group (`ingredients.base_group`, e.g. 'MgSO4'), or the same
 *      normalised name once the hydrate suffix is removed ("Mg(SO4) x 7 H2O" = "MgSO4 x 7 H2O";
 *      "Biotin" = "D-Biotin" via the group; "Thiamine HCl" = "Thiamine-HCl x 2 H2O" via the name);
 *    - complex ingredients (peptones, extracts, blood, juices, ...): only the same normalised name.
 *      MediaDive's groups lump different materials here ('Peptone' holds casein, soy, meat, fish and
 *      proteose peptone; 'Meat extract' holds brain-heart infusion and ground beef), so they are not used;
 *    - gelling agents: only the same normalised name (never merged with anything else).
 *    ChEBI ids are NOT a merge key: MediaDive gives hydrates and anhydrous forms the same ChEBI id
 *    (all Na2HPO4 hydrates are CHEBI:34683; CoCl2 x 6 H2O and CoCl2 share CHEBI:35696). They are
 *    only counted (stats.sharedChebi).
 * 3. **Hydrates are mass-corrected to the class's canonical form**, the member used in most media
 *    (MgSO4 x 7 H2O, CaCl2 x 2 H2O, ...). A member's g/L is multiplied by M(canonical) / M(member), so
 *    equal moles give equal amounts and the common form round-trips exactly (factor 1). Masses are
 *    computed, not read: M(anhydrous) from the base group parsed as a formula (checked against
 *    MediaDive's stored masses, which must be that mass plus a whole number of waters) or else from the
 *    stored mass of an anhydrous member; + 18.015 g/mol per water named in the name ("x 6 H2O",
 *    "pentahydrate"), or, when the name is silent, the number of waters the stored mass implies.
 *    MediaDive's own masses are not trusted for hydrates: it stores CoCl2 x 6 H2O as 129.839 g/mol
 *    (the anhydrous mass). When no anhydrous mass can be found, or a member's water count is unknown
 *    ("x n H2O"), members with another water count stay separate entries.
 * 4. **Agar and other gelling agents** (agar, agarose, Gelrite, gellan gum, Phytagel) are entries with
 *    `role = 'gelling'`: a solid-medium marker, not a nutrient (weightedJaccard / nearestMedia leave
 *    them out by default). Dehydrated complete media sold as "... agar" (Marine agar 2216, R2A agar)
 *    are complex nutrient ingredients.
 * 5. **Vocabulary = classes used in at least `minMedia` media** (any row, final or stock), default 3.
 *    On the bundled data (3,134 media with a recipe) there are 898 non-water classes: 520 used in ≥ 2
 *    media, 398 in ≥ 3, 294 in ≥ 5; 378 occur in a single medium. N = 3 keeps 98.8 % of the non-water
 *    recipe rows and leaves 85 % of the media fully described (N = 5: 98.2 % and 78 %; N = 2: 99.3 %
 *    and 90 % but 122 more columns seen in two recipes only). A class seen in one or two recipes can
 *    neither be learned by a generator nor make many media alike.
 * 6. **Unit**: an entry is measured in g/L, or in ml/L when most of its final-medium rows are ml/L
 *    (sea water, rumen fluid, ethanol, vitamin-solution references, and compounds that recipes add as a
 *    solution by volume, such as NaOH or H2SO4). Final rows in the other unit (e.g.
 *    "Na2S x 9 H2O 10 ml/L", ml of a solution of unknown strength) count as present without an amount;
 *    densities are not used (MediaDive gives solid densities, e.g. glucose 1.544 g/ml).
 * The vocabulary is ordered by media count (descending), then canonical ingredient id.
 */
import type { Database, SqlValue } from 'sql.js';
import { AppError } from '../core/errors';

/** g/mol of water, for hydrate corrections. */
export const WATER_MOLAR_MASS = 18.01528;

export interface VocabularyOptions {
  /** Keep classes used in at least this many media (final or stock rows). @default 3 */
  minMedia?: number;
  /** Also count the retired media (in_mediadive = 0) that only BacDive links name. @default false */
  includeRetired?: boolean;
}
export const VOCABULARY_DEFAULTS = { minMedia: 3, includeRetired: false } satisfies Required<VocabularyOptions>;

export function resolveVocabularyOptions(options: VocabularyOptions = {}): Required<VocabularyOptions> {
  const r = { ...VOCABULARY_DEFAULTS, ...options };
  if (!Number.isInteger(r.minMedia) || r.minMedia < 1) {
    throw new AppError('BAD_OPTION', `minMedia must be a whole number ≥ 1 (got ${options.minMedia})`, 'use e.g. minMedia: 3');
  }
  r.includeRetired = Boolean(r.includeRetired);
  return r;
}

/** One MediaDive ingredient merged into a vocabulary entry. */
export interface VocabMember {
  ingredientId: number;
  name: string;
  /** Waters of crystallisation (named, or implied by the stored mass); null = unknown ("x n H2O"). */
  waters: number | null;
  /** Multiply this member's g/L by this to get g/L of the entry's canonical form (1 for synonyms). */
  toCanonical: number;
  /** Media using this member (any row). */
  mediaCount: number;
}

export interface VocabEntry {
  /** Column of the entry in MediaMatrix rows. */
  index: number;
  /** The canonical member: the one used in most media. */
  ingredientId: number;
  name: string;
  chebi: string | null;
  /** 'g': amounts are log1p(g/L); 'ml': log1p(ml/L). */
  unit: 'g' | 'ml';
  /** g/mol of the canonical form (hydrate-corrected), null when unknown or complex. */
  molarMass: number | null;
  isComplex: boolean;
  /** 'gelling' = agar and other solidifying agents: a solid-medium marker, not a nutrient. */
  role: 'nutrient' | 'gelling';
  /** Media using the entry (any member, final or stock row). */
  mediaCount: number;
  /** Media with a final-medium row of it. */
  finalMediaCount: number;
  members: VocabMember[];
}

export interface VocabularyStats {
  minMedia: number;
  /** Media counted (3,327 MediaDive media; 3,336 with includeRetired). */
  media: number;
  /** Media with at least one composition row. */
  mediaWithComposition: number;
  /** Distinct ingredient ids in the composition rows of those media. */
  ingredientsUsed: number;
  /** Of these, water (left out). */
  waterIngredients: number;
  /** Classes after merging near-duplicates (water left out), before the minMedia cut. */
  classes: number;
  /** Classes with more than one member, and the ingredients in them. */
  mergedClasses: number;
  mergedIngredients: number;
  /** Members whose g/L is mass-corrected (toCanonical ≠ 1). */
  hydrateConverted: number;
  /** Extra classes made because a hydrate could not be mass-corrected. */
  splitByHydrate: number;
  /** ChEBI ids shared by ≥ 2 used (non-water) ingredients, and those ingredients (a near-duplicate count). */
  sharedChebi: number;
  sharedChebiIngredients: number;
  /** Classes used in exactly 1 and exactly 2 media. */
  singleMediumClasses: number;
  twoMediaClasses: number;
  vocabSize: number;
  gellingEntries: number;
  complexEntries: number;
  mlEntries: number;
  /** Non-water composition rows, and those whose ingredient is in the vocabulary. */
  nonWaterRows: number;
  rowsInVocab: number;
  /** Media with a recipe that has at least one ingredient outside the vocabulary. */
  mediaWithOutOfVocab: number;
}

export interface Vocabulary {
  entries: VocabEntry[];
  stats: VocabularyStats;
}

// ---- loading -------------------------------------------------------------------------------------

export interface IngredientInfo {
  id: number;
  name: string;
  chebi: string | null;
  molarMass: number | null;
  baseGroup: string | null;
  isComplex: boolean | null;
}

/** Composition rows as parallel arrays (60k rows: no object per row). */
export interface CompositionColumns {
  length: number;
  /** Index into the medium list given to readComposition. */
  medium: Int32Array;
  ingredient: Int32Array;
  /** 1 = stock-solution row (concentration per litre of the stock; presence only). */
  stock: Uint8Array;
  /** Final g/L and ml/L (NaN when empty; always NaN for stock rows). */
  gPerL: Float64Array;
  mlPerL: Float64Array;
}

const text = (v: SqlValue) => (v === null || v === undefined ? null : String(v));
const posNum = (v: SqlValue) => (typeof v === 'number' && v > 0 && Number.isFinite(v) ? v : null);

export function readIngredients(db: Database): Map<number, IngredientInfo> {
  const out = new Map<number, IngredientInfo>();
  for (const r of db.exec('SELECT id, name, chebi, molar_mass, base_group, is_complex FROM ingredients')[0]?.values ?? []) {
    const id = Number(r[0]);
    out.set(id, {
      id,
      name: text(r[1])?.trim() || `ingredient ${id}`,
      chebi: text(r[2]),
      molarMass: posNum(r[3]),
      baseGroup: text(r[4])?.trim() || null,
      isComplex: r[5] === null ? null : r[5] === 1,
    });
  }
  return out;
}

export interface MediumInfo {
  id: string;
  name: string;
  minPh: number | null;
  maxPh: number | null;
  isComplex: boolean | null;
}

/** Media in table order (= media.tsv order), MediaDive media only unless includeRetired. */
export function readMedia(db: Database, includeRetired = false): MediumInfo[] {
  const where = includeRetired ? '' : 'WHERE in_mediadive = 1';
  return (db.exec(`SELECT id, name, min_ph, max_ph, is_complex FROM media ${where} ORDER BY rowid`)[0]?.values ?? []).map((r) => ({
    id: String(r[0]),
    name: String(r[1]),
    minPh: typeof r[2] === 'number' ? r[2] : null,
    maxPh: typeof r[3] === 'number' ? r[3] : null,
    isComplex: r[4] === null ? null : r[4] === 1,
  }));
}

/** The composition rows of the given media (rows of other media are skipped). */
export function readComposition(db: Database, media: readonly MediumInfo[]): CompositionColumns {
  const index = new Map(media.map((m, i) => [m.id, i]));
  const n = Number(db.exec('SELECT count(*) FROM media_composition')[0]?.values[0]?.[0] ?? 0);
  const cols: CompositionColumns = {
    length: 0,
    medium: new Int32Array(n),
    ingredient: new Int32Array(n),
    stock: new Uint8Array(n),
    gPerL: new Float64Array(n),
    mlPerL: new Float64Array(n),
  };
  const stmt = db.prepare(
    `SELECT medium_id, ingredient_id, conc_basis = 'stock_solution', g_per_l, ml_per_l FROM media_composition`,
  );
  try {
    let k = 0;
    while (stmt.step() && k < n) {
      const r = stmt.get();
      const m = index.get(String(r[0]));
      if (m === undefined) continue;
      cols.medium[k] = m;
      cols.ingredient[k] = Number(r[1]);
      cols.stock[k] = r[2] === 1 ? 1 : 0;
      cols.gPerL[k] = typeof r[3] === 'number' ? r[3] : NaN;
      cols.mlPerL[k] = typeof r[4] === 'number' ? r[4] : NaN;
      k++;
    }
    cols.length = k;
  } finally {
    stmt.free();
  }
  return cols;
}

// ---- names, hydrates, formulas -------------------------------------------------------------------

const WATER_NAME =
  /^(?:(?:sterile|double|bi|tri|distilled|deionized|deionised|demineralized|demineralised|tap|ultrapure|ultra-pure|purified|milli[\s-]?q|ro)[\s-]*)*(?:water|h2o)(?:\s*\((?:\s|distilled|deionized|demineralized|tap|water|tapwater|or)+\))?$/i;

/** True for plain water (the solvent): by name, or by MediaDive base group. */
export function isWater(name: string, baseGroup: string | null = null): boolean {
  return WATER_NAME.test(name.trim()) || (baseGroup !== null && WATER_NAME.test(baseGroup.trim()));
}

const GELLING_NAME =
  /^(?:(?:bacto|difco|oxoid|noble|purified|washed|technical|select|granulated|bacteriological|european|american)[\s-]+)*(?:agar(?:[\s-]agar)?|agarose|gelrite|gellan(?:[\s-]gum)?|phytagel|phyto[\s-]?agar)(?:[\s-]+(?:noble|powder|bacteriological|no\.?\s*\d+))*$/i;

/** Agar and other gelling agents (not dehydrated media named "... agar"). */
export function isGellingAgent(name: string): boolean {
  return GELLING_NAME.test(name.trim());
}

/** Lower case without spaces, hyphens, brackets, dots, commas: 'Mg(SO4) x 7 H2O' ~ 'MgSO4 x 7 H2O'. */
export function normaliseName(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKC')
    .replace(/[\s\-_()[\]{}·.,'"’]+/g, '');
}

export interface HydrateInfo {
  /** The name without its hydrate suffix. */
  base: string;
  /** Waters named; null when the name says "x n H2O" / "hydrate" without a number. */
  waters: number | null;
  /** Whether the name says anything (a suffix, "...hydrate", "anhydrous"). */
  stated: boolean;
}

const HYDRATE_SUFFIX = /\s*(?:x|×|·|\*|\.)\s*(\d+(?:[.,]\d+)?|n)?\s*H2O\s*$/i;
const HYDRATE_WORD = /[\s-]*\b(mono|di|tri|tetra|penta|hexa|hepta|octa|nona|deca|dodeca|hemi|sesqui)?hydrate?\b/i;
const HYDRATE_PREFIX: Record<string, number> = {
  mono: 1, di: 2, tri: 3, tetra: 4, penta: 5, hexa: 6, hepta: 7, octa: 8, nona: 9, deca: 10, dodeca: 12, hemi: 0.5, sesqui: 1.5,
};

/** 'MgSO4 x 7 H2O' -> MgSO4, 7; 'Calcium chloride dihydrate' -> 2; 'Na2CO3 anhydrous' -> 0; 'MnSO4 x n H2O' -> null. */
export function parseHydrate(name: string): HydrateInfo {
  const s = name.trim();
  const m = HYDRATE_SUFFIX.exec(s);
  if (m && m.index > 0) {
    const w = m[1] === undefined ? 1 : m[1].toLowerCase() === 'n' ? null : Number(m[1].replace(',', '.'));
    return { base: s.slice(0, m.index).trim(), waters: w, stated: true };
  }
  const a = /[\s-]*\banhydrous\b/i.exec(s);
  if (a) return { base: (s.slice(0, a.index) + s.slice(a.index + a[0].length)).trim(), waters: 0, stated: true };
  const h = HYDRATE_WORD.exec(s);
  if (h && h.index > 0) {
    const w = h[1] ? HYDRATE_PREFIX[h[1].toLowerCase()] : null;
    return { base: (s.slice(0, h.index) + s.slice(h.index + h[0].length)).trim(), waters: w ?? null, stated: true };
  }
  return { base: s, waters: 0, stated: false };
}

/** Standard atomic weights (g/mol) of the elements that occur in medium salts. */
const ATOMIC_MASS: Record<string, number> = {
  H: 1.008, Li: 6.94, Be: 9.0122, B: 10.81, C: 12.011, N: 14.007, O: 15.999, F: 18.998, Na: 22.99, Mg: 24.305,
  Al: 26.982, Si: 28.085, P: 30.974, S: 32.06, Cl: 35.45, K: 39.098, Ca: 40.078, Ti: 47.867, V: 50.942, Cr: 51.996,
  Mn: 54.938, Fe: 55.845, Co: 58.933, Ni: 58.693, Cu: 63.546, Zn: 65.38, Ga: 69.723, Ge: 72.63, As: 74.922, Se: 78.971,
  Br: 79.904, Rb: 85.468, Sr: 87.62, Y: 88.906, Zr: 91.224, Mo: 95.95, Ru: 101.07, Rh: 102.91, Pd: 106.42, Ag: 107.87,
  Cd: 112.41, In: 114.82, Sn: 118.71, Sb: 121.76, Te: 127.6, I: 126.9, Cs: 132.91, Ba: 137.33, La: 138.91, Ce: 140.12,
  Pr: 140.91, Nd: 144.24, Sm: 150.36, Gd: 157.25, W: 183.84, Re: 186.21, Os: 190.23, Ir: 192.22, Pt: 195.08, Au: 196.97,
  Hg: 200.59, Tl: 204.38, Pb: 207.2, Bi: 208.98, Th: 232.04, U: 238.03,
};

/** Molar mass of a plain formula ('CaCl2', 'Fe(NH4)2(SO4)2'), or null when it is not one ('Biotin', 'KCL'). */
export function formulaMass(formula: string): number | null {
  let i = 0;
  const f = formula;
  const part = (): number | null => {
    let total = 0;
    let any = false;
    while (i < f.length && f[i] !== ')') {
      let unit: number;
      if (f[i] === '(') {
        i++;
        const inner = part();
        if (inner === null || f[i] !== ')') return null;
        i++;
        unit = inner;
      } else {
        const e = /^[A-Z][a-z]?/.exec(f.slice(i));
        const w = e ? ATOMIC_MASS[e[0]] : undefined;
        if (!e || w === undefined) return null;
        i += e[0].length;
        unit = w;
      }
      const d = /^\d+/.exec(f.slice(i));
      const count = d ? Number(d[0]) : 1;
      if (d) i += d[0].length;
      total += unit * count;
      any = true;
    }
    return any ? total : null;
  };
  const m = part();
  return m !== null && i === f.length ? m : null;
}

/** Whole number of waters k (0..12) with mass ≈ anhydrous + k·H2O, or null. */
function watersFromMass(mass: number, anhydrous: number): number | null {
  const k = Math.round((mass - anhydrous) / WATER_MOLAR_MASS);
  const tolerance = Math.max(0.06, 1e-4 * mass); // stored masses have 4-6 significant digits
  return k >= 0 && k <= 12 && Math.abs(mass - anhydrous - k * WATER_MOLAR_MASS) < tolerance ? k + 0 : null;
}

// ---- classes -------------------------------------------------------------------------------------

interface Draft {
  members: { info: IngredientInfo; hydrate: HydrateInfo; waters: number | null; mediaCount: number }[];
  gelling: boolean;
  complex: boolean;
}

class UnionFind {
  private parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p === x) {
      this.parent.set(x, x);
      return x;
    }
    p = this.find(p);
    this.parent.set(x, p);
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

/** The anhydrous molar mass of a class: a parsed group/base formula consistent with the stored masses, or null. */
function anhydrousFromFormula(d: Draft): number | null {
  const candidates = new Set<string>();
  for (const m of d.members) if (m.info.baseGroup) candidates.add(m.info.baseGroup);
  for (const m of d.members) candidates.add(m.hydrate.base);
  const stored = d.members.map((m) => m.info.molarMass).filter((x): x is number => x !== null);
  for (const c of candidates) {
    const mass = formulaMass(c);
    if (mass === null) continue;
    if (stored.length === 0 || stored.some((s) => watersFromMass(s, mass) !== null)) return mass;
  }
  return null;
}

interface BuiltClass {
  entry: Omit<VocabEntry, 'index' | 'mediaCount' | 'finalMediaCount' | 'unit'>;
  /** Members whose g/L is mass-corrected (for the stats). */
  converted: number;
}

/** Splits a draft class into entries: one when every member's mass can be related, else one per water count. */
function finishClass(d: Draft, split: { count: number }): BuiltClass[] {
  const byUse = [...d.members].sort((a, b) => b.mediaCount - a.mediaCount || a.info.id - b.info.id);
  if (d.complex || d.gelling) return [makeEntry(d, byUse, null)];
  const fromFormula = anhydrousFromFormula(d);
  // Waters: named; else implied by the stored mass (formula known); else 0.
  for (const m of byUse) {
    m.waters = m.hydrate.stated ? m.hydrate.waters : fromFormula !== null && m.info.molarMass !== null ? (watersFromMass(m.info.molarMass, fromFormula) ?? 0) : 0;
  }
  const anhydrous = fromFormula ?? byUse.find((m) => m.waters === 0 && m.info.molarMass !== null)?.info.molarMass ?? null;
  const waterCounts = new Set(byUse.map((m) => m.waters));
  if (waterCounts.size === 1) return [makeEntry(d, byUse, anhydrous)];
  const groups = new Map<string, typeof byUse>();
  for (const m of byUse) {
    const key = m.waters === null ? 'n' : anhydrous === null ? String(m.waters) : 'known';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(m);
  }
  split.count += groups.size - 1;
  return [...groups.values()].map((g) => makeEntry(d, g, anhydrous));
}

function makeEntry(d: Draft, members: Draft['members'], anhydrous: number | null): BuiltClass {
  const canon = members[0];
  const chemical = !d.complex && !d.gelling;
  const massOf = (m: Draft['members'][number]): number | null => {
    if (m.waters === null) return null;
    if (anhydrous !== null) return anhydrous + m.waters * WATER_MOLAR_MASS;
    return m.waters === canon.waters ? m.info.molarMass : null;
  };
  const canonMass = chemical ? massOf(canon) : null;
  let converted = 0;
  const vm: VocabMember[] = members.map((m) => {
    let factor = 1;
    if (chemical && m !== canon && m.waters !== canon.waters) {
      const mm = massOf(m);
      factor = canonMass !== null && mm !== null ? canonMass / mm : 1;
      if (factor !== 1) converted++;
    }
    return { ingredientId: m.info.id, name: m.info.name, waters: chemical ? m.waters : null, toCanonical: factor, mediaCount: m.mediaCount };
  });
  return {
    entry: {
      ingredientId: canon.info.id,
      name: canon.info.name,
      chebi: canon.info.chebi,
      molarMass: canonMass,
      isComplex: d.complex,
      role: d.gelling ? 'gelling' : 'nutrient',
      members: vm,
    },
    converted,
  };
}

/** Column lookup: ingredient id -> vocabulary column and g/L factor to the canonical form. */
export interface MemberIndex {
  column: Map<number, number>;
  factor: Map<number, number>;
}

export function memberIndex(entries: readonly VocabEntry[]): MemberIndex {
  const column = new Map<number, number>();
  const factor = new Map<number, number>();
  entries.forEach((e, j) => {
    for (const m of e.members) {
      column.set(m.ingredientId, j);
      factor.set(m.ingredientId, m.toCanonical);
    }
  });
  return { column, factor };
}

/** Builds the vocabulary from already loaded rows (media-vectors.ts reads them once for both steps). */
export function vocabularyFromRows(
  ingredients: Map<number, IngredientInfo>,
  media: readonly MediumInfo[],
  rows: CompositionColumns,
  options: Required<VocabularyOptions>,
): Vocabulary {
  const info = (id: number): IngredientInfo => ingredients.get(id) ?? { id, name: `ingredient ${id}`, chebi: null, molarMass: null, baseGroup: null, isComplex: null };
  // Media per ingredient.
  const mediaOf = new Map<number, Set<number>>();
  const withComposition = new Set<number>();
  for (let k = 0; k < rows.length; k++) {
    withComposition.add(rows.medium[k]);
    let s = mediaOf.get(rows.ingredient[k]);
    if (!s) mediaOf.set(rows.ingredient[k], (s = new Set()));
    s.add(rows.medium[k]);
  }
  const used = [...mediaOf.keys()].sort((a, b) => a - b);
  const water = new Set(used.filter((id) => isWater(info(id).name, info(id).baseGroup)));

  // Union of merge keys.
  const uf = new UnionFind();
  const hydrate = new Map<number, HydrateInfo>();
  for (const id of used) {
    if (water.has(id)) continue;
    const ing = info(id);
    const h = parseHydrate(ing.name);
    hydrate.set(id, h);
    const self = `id:${id}`;
    if (isGellingAgent(ing.name)) uf.union(self, `gel:${normaliseName(ing.name)}`);
    else if (ing.isComplex === false || (h.stated && h.waters !== 0)) {
      if (ing.baseGroup && !isGellingAgent(ing.baseGroup)) uf.union(self, `group:${normaliseName(ing.baseGroup)}`);
      uf.union(self, `name:${normaliseName(h.base)}`);
    } else uf.union(self, `complex:${normaliseName(ing.name)}`);
  }
  const drafts = new Map<string, Draft>();
  for (const id of used) {
    if (water.has(id)) continue;
    const root = uf.find(`id:${id}`);
    const ing = info(id);
    const h = hydrate.get(id)!;
    let d = drafts.get(root);
    if (!d) {
      const gelling = isGellingAgent(ing.name);
      drafts.set(root, (d = { members: [], gelling, complex: !gelling && !(ing.isComplex === false || (h.stated && h.waters !== 0)) }));
    }
    d.members.push({ info: ing, hydrate: h, waters: h.waters, mediaCount: mediaOf.get(id)!.size });
  }

  const split = { count: 0 };
  let mergedClasses = 0;
  let mergedIngredients = 0;
  let hydrateConverted = 0;
  const built: BuiltClass[] = [];
  for (const d of drafts.values()) {
    if (d.members.length > 1) {
      mergedClasses++;
      mergedIngredients += d.members.length;
    }
    for (const b of finishClass(d, split)) {
      built.push(b);
      hydrateConverted += b.converted;
    }
  }

  // Per-class media counts and units.
  const classOf = new Map<number, number>();
  built.forEach((b, c) => b.entry.members.forEach((m) => classOf.set(m.ingredientId, c)));
  const classMedia = built.map(() => new Set<number>());
  const classFinal = built.map(() => new Set<number>());
  const gRows = new Int32Array(built.length);
  const mlRows = new Int32Array(built.length);
  let nonWaterRows = 0;
  for (let k = 0; k < rows.length; k++) {
    const c = classOf.get(rows.ingredient[k]);
    if (c === undefined) continue;
    nonWaterRows++;
    classMedia[c].add(rows.medium[k]);
    if (rows.stock[k]) continue;
    classFinal[c].add(rows.medium[k]);
    if (!Number.isNaN(rows.gPerL[k])) gRows[c]++;
    else if (!Number.isNaN(rows.mlPerL[k])) mlRows[c]++;
  }
  const keep = built
    .map((b, c) => ({ b, c, n: classMedia[c].size }))
    .filter((x) => x.n >= options.minMedia)
    .sort((x, y) => y.n - x.n || x.b.entry.ingredientId - y.b.entry.ingredientId);
  const entries: VocabEntry[] = keep.map(({ b, c, n }, index) => ({
    index,
    ...b.entry,
    unit: mlRows[c] > gRows[c] ? 'ml' : 'g',
    mediaCount: n,
    finalMediaCount: classFinal[c].size,
  }));

  // Coverage.
  const kept = new Set(keep.map((x) => x.c));
  let rowsInVocab = 0;
  const oovMedia = new Set<number>();
  for (let k = 0; k < rows.length; k++) {
    const c = classOf.get(rows.ingredient[k]);
    if (c === undefined) continue;
    if (kept.has(c)) rowsInVocab++;
    else oovMedia.add(rows.medium[k]);
  }
  const chebiUse = new Map<string, number>();
  for (const id of used) {
    const ch = info(id).chebi;
    if (ch && !water.has(id)) chebiUse.set(ch, (chebiUse.get(ch) ?? 0) + 1);
  }
  const shared = [...chebiUse.values()].filter((n) => n > 1);
  const sizes = classMedia.map((s) => s.size);

  return {
    entries,
    stats: {
      minMedia: options.minMedia,
      media: media.length,
      mediaWithComposition: withComposition.size,
      ingredientsUsed: used.length,
      waterIngredients: water.size,
      classes: built.length,
      mergedClasses,
      mergedIngredients,
      hydrateConverted,
      splitByHydrate: split.count,
      sharedChebi: shared.length,
      sharedChebiIngredients: shared.reduce((a, b) => a + b, 0),
      singleMediumClasses: sizes.filter((n) => n === 1).length,
      twoMediaClasses: sizes.filter((n) => n === 2).length,
      vocabSize: entries.length,
      gellingEntries: entries.filter((e) => e.role === 'gelling').length,
      complexEntries: entries.filter((e) => e.isComplex).length,
      mlEntries: entries.filter((e) => e.unit === 'ml').length,
      nonWaterRows,
      rowsInVocab,
      mediaWithOutOfVocab: oovMedia.size,
    },
  };
}

/** The ingredient vocabulary of a database (rules in this file's header). */
export function buildVocabulary(db: Database, options: VocabularyOptions = {}): Vocabulary {
  const opts = resolveVocabularyOptions(options);
  const media = readMedia(db, opts.includeRetired);
  return vocabularyFromRows(readIngredients(db), media, readComposition(db, media), opts);
}

const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(1)} %` : '–');
const fmt = (n: number) => n.toLocaleString('en-US');

/**
 * The vocabulary rule as Markdown bullets, with the numbers of a build when `stats` is given
 * (for the README and the app's database page).
 */
export function describeVocabulary(stats: VocabularyStats | null = null): string {
  const n = stats?.minMedia ?? VOCABULARY_DEFAULTS.minMedia;
  const lines = [
    `- **Vocabulary**: MediaDive ingredients, near-duplicates merged, used in at least ${n} media (final or stock rows)` +
      (stats
        ? `: **${fmt(stats.vocabSize)} entries** (${stats.complexEntries} complex, ${stats.gellingEntries} gelling, ${stats.mlEntries} in ml/L) from ` +
          `${fmt(stats.ingredientsUsed)} ingredients in the recipes of ${fmt(stats.mediaWithComposition)} media. ` +
          `They cover ${pct(stats.rowsInVocab, stats.nonWaterRows)} of the ${fmt(stats.nonWaterRows)} non-water recipe rows; ` +
          `${fmt(stats.mediaWithOutOfVocab)} media have an ingredient outside it (counted per medium). ` +
          `${fmt(stats.singleMediumClasses)} ingredient classes occur in one medium only and ${fmt(stats.twoMediaClasses)} in two.`
        : '.'),
    '- **Water** (distilled, deionized, demineralized, Milli-Q, tap water, "H2O") is the solvent, not an ingredient' +
      (stats ? ` (${stats.waterIngredients} ingredient ids left out).` : '.') +
      ' Sea water and sea salts are ingredients.',
    '- **Near-duplicates**: defined compounds are merged when they share the MediaDive base group or the normalised name without the hydrate ' +
      '("Biotin" = "D-Biotin"; "MgSO4" = "MgSO4 x 7 H2O"); complex ingredients (peptones, extracts) only by normalised name, since ' +
      "MediaDive's groups lump different materials; ChEBI ids are not used (MediaDive gives hydrates and anhydrous forms the same id)" +
      (stats
        ? `. ${fmt(stats.mergedIngredients)} ingredients form ${fmt(stats.mergedClasses)} merged classes (${fmt(stats.classes)} classes in all); ` +
          `${fmt(stats.sharedChebi)} ChEBI ids are shared by ${fmt(stats.sharedChebiIngredients)} ingredients.`
        : '.'),
    '- **Hydrates** are expressed as the class\'s most used form: g/L × M(canonical) / M(member), with masses computed from the base formula ' +
      'plus 18.015 g/mol per water (MediaDive\'s stored masses are often the anhydrous ones)' +
      (stats ? `; ${fmt(stats.hydrateConverted)} members are mass-corrected, ${fmt(stats.splitByHydrate)} kept apart (water count unknown, as in "MnSO4 x n H2O", or no mass to relate them).` : '.'),
    '- **Agar**, agarose, Gelrite and gellan gum are kept as *gelling* entries: a solid-medium marker, not a nutrient (left out of the similarity).',
    '- **Amounts**: `log1p(final g/L)` (or ml/L for liquids) from main-solution rows. Stock-solution rows (trace elements, vitamins, ' +
      '"Solution A") are presence only, with a `stock` flag: their g/L is per litre of the stock and the volume added is unknown, so no ' +
      'final amount is guessed. Final rows in the other unit (ml of a salt solution of unknown strength) are presence only too.',
  ];
  return lines.join('\n');
}
