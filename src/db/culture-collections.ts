/**
 * Culture-collection numbers ("DSM 20231", "ATCC BAA-918", "CIP 52.97"): finding them in free text
 * (FASTA headers, file names, the manifest strain column, what a user types) and normalising them
 * to one spelling, "<COLLECTION> <number>", so that "DSM20231", "DSM:20231", "DSM-20231",
 * "DSM_20231" and "dsm 20231" all become "DSM 20231". Pure functions; Node and browser.
 */

/** Collection acronyms we recognise, with the canonical spelling each one maps to. */
const COLLECTION_ALIASES: Record<string, string> = {
  DSM: 'DSM',
  DSMZ: 'DSM',
  ATCC: 'ATCC',
  JCM: 'JCM',
  NBRC: 'NBRC',
  IFO: 'IFO',
  NCTC: 'NCTC',
  NCIMB: 'NCIMB',
  NCIB: 'NCIMB',
  CIP: 'CIP',
  KCTC: 'KCTC',
  LMG: 'LMG',
  CCUG: 'CCUG',
  NRRL: 'NRRL',
  BCRC: 'BCRC',
  CECT: 'CECT',
  VKM: 'VKM',
  IAM: 'IAM',
  NRIC: 'NRIC',
  CCM: 'CCM',
  KCCM: 'KCCM',
  CGMCC: 'CGMCC',
  MTCC: 'MTCC',
  TISTR: 'TISTR',
  NCDO: 'NCDO',
  OCM: 'OCM',
  ICMP: 'ICMP',
  CCRC: 'CCRC',
  NCCB: 'NCCB',
  NCPPB: 'NCPPB',
  PCC: 'PCC',
  UTEX: 'UTEX',
  CBS: 'CBS',
};

/**
 * Numbers that name the same deposit in two catalogues. IFO was renamed NBRC with the same numbers.
 * (Other cross-deposits, e.g. DSM 30083 = ATCC 11775, differ in number and come from the strain record.)
 */
const SAME_NUMBER_ALIASES: Record<string, string> = { IFO: 'NBRC', NBRC: 'IFO' };

const ACRONYMS = Object.keys(COLLECTION_ALIASES).sort((a, b) => b.length - a.length).join('|');

/**
 * Acronym, optional separator (space, ':', '-', '_', '.', '#'), then the number: an optional letter
 * series ("BAA-", "B-", "VR-"), digits, an optional ".digits" or "/digits" part (CIP 52.97), and an
 * optional type-strain mark "T". The acronym must not be glued to a preceding letter ("MAL1" is not
 * "AL 1"), and the number must not run on into letters ("DSM 123abc" is rejected).
 */
const CCNO_RE = new RegExp(
  `(?<![A-Za-z0-9])(${ACRONYMS})(?:[\\s:_#.-]{0,3})((?:[A-Z]{1,4}[\\s_-]?)?\\d+(?:[./]\\d+)?)(?:\\s?T)?(?![A-Za-z0-9])`,
  'gi',
);

/** Normalises one "<acronym> <number>" pair; returns null when the acronym is unknown. */
export function normalizeCcno(collection: string, number: string): string | null {
  const canon = COLLECTION_ALIASES[collection.toUpperCase()];
  if (!canon) return null;
  let n = number.toUpperCase().replace(/[\s_]+/g, '-');
  // "BAA918" -> "BAA-918", "B2471" -> "B-2471"; a bare number stays as it is.
  n = n.replace(/^([A-Z]{1,4})-?(\d)/, '$1-$2');
  n = n.replace(/^0+(?=\d)/, '');
  return `${canon} ${n}`;
}

/** Parses text that should be exactly one number ("DSM:20231", "atcc baa918"); null if it is not. */
export function parseCcno(text: string): string | null {
  const found = findCcnos(text);
  return found.length === 1 && text.replace(CCNO_RE, '').trim() === '' ? found[0] : null;
}

/**
 * Clauses that name other strains and must not be read as this strain's numbers, e.g.
 * "(not the type strain; type is S-6 = DSM 2053)" or "Marburg derivative, not the type strain DSM 10".
 */
const NEGATED_CLAUSE_RE = /\bnot\b|\btype is\b|\btype strain is\b|\bdiffers? from\b|\bderived from\b/i;

/**
 * The clauses of a label that describe this strain: the text is split at parentheses, brackets and
 * ';', and clauses that name another strain ("not the type strain", "type is S-6 = DSM 2053") are
 * dropped. File names work too: underscores count as spaces and a FASTA extension is removed.
 */
export function affirmativeClauses(text: string): string[] {
  const clean = text.replace(/\.(fna|fasta|fa|fas|fsa|ffn|seq)(\.gz)?$/i, '').replace(/_/g, ' ');
  return clean.split(/[();[\]]/).filter((c) => c.trim() && !NEGATED_CLAUSE_RE.test(c));
}

/**
 * All culture-collection numbers in free text, normalised, in order of appearance, without repeats.
 * Clauses (split at parentheses and ';') that say a number is NOT this strain are skipped.
 * File names work too: underscores count as spaces and the extension is ignored.
 */
export function findCcnos(text: string): string[] {
  const out: string[] = [];
  for (const clause of affirmativeClauses(text)) {
    for (const m of clause.matchAll(CCNO_RE)) {
      const c = normalizeCcno(m[1], m[2]);
      if (c && !out.includes(c)) out.push(c);
    }
  }
  return out;
}

/** The number and the same deposit under an equivalent catalogue name (IFO n = NBRC n). */
export function ccnoVariants(ccno: string): string[] {
  const [coll, num] = ccno.split(' ');
  const alias = SAME_NUMBER_ALIASES[coll];
  return alias ? [ccno, `${alias} ${num}`] : [ccno];
}

/** Splits a BacDive "culture_collection_numbers" cell ("DSM 15551, IFO 16470, ...") into normalised numbers. */
export function splitCcnoList(cell: string): string[] {
  const out: string[] = [];
  for (const part of cell.split(/[,;]/)) {
    const p = part.trim();
    if (!p) continue;
    const m = /^([A-Za-z]+)[\s:_#.-]*(.+)$/.exec(p);
    if (!m) continue;
    const c = normalizeCcno(m[1], m[2].replace(/\s?T$/, ''));
    if (c && !out.includes(c)) out.push(c);
  }
  return out;
}
