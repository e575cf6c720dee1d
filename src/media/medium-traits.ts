/**
 * What a medium's recipe says about the organisms it is for, read from its ingredients alone:
 * salinity (NaCl and sea salts, g/L of final medium), whether it is prepared anoxic (reducing
 * agents, resazurin redox indicator), and its pH. These reach media that no BacDive strain with
 * known conditions was grown on, which is most archaeal media.
 */
import type { MediaMatrix } from './media-vectors';

/** Ingredients that make a medium anoxic (reducing agents) or show it (resazurin). */
const ANOXIC = /\b(na2s|sodium sulfide|sodium sulphide|cysteine|resazurin|titanium\(iii\)|ti\(iii\)|dithionite|thioglycolate|dithiothreitol)\b/i;
const NACL = /^(nacl|sodium chloride)\b/i;
/** The other salts of high-salt media (hydrates included, as weighed): rule 14's total salts. */
const OTHER_SALTS = /^(kcl|potassium chloride|mgcl2|mgso4|magnesium chloride|magnesium sulfate|magnesium sulphate)\b/i;
const SEA = /\b(sea ?salts?|sea water|seawater|artificial sea)\b/i;

export interface MediumTraits {
  /** NaCl g/L of final medium (0 when none), sea salt counted as NaCl. */
  naclGPerL: number;
  /** NaCl (and sea salt) plus KCl, MgCl2 and MgSO4 as weighed (hydrates included), g/L of final medium. */
  saltsGPerL: number;
  anoxic: boolean;
  ph: number;
}

export function mediumTraits(m: MediaMatrix): MediumTraits[] {
  const V = m.vocab.length;
  const nacl = m.vocab.filter((v) => NACL.test(v.name) || SEA.test(v.name)).map((v) => v.index);
  const anoxic = m.vocab.filter((v) => ANOXIC.test(v.name)).map((v) => v.index);
  const other = m.vocab.filter((v) => OTHER_SALTS.test(v.name)).map((v) => v.index);
  return m.mediumIds.map((_, i) => {
    let g = 0;
    for (const j of nacl) g += Math.expm1(m.amount[i * V + j]);
    let o = 0;
    for (const j of other) o += Math.expm1(m.amount[i * V + j]);
    return { naclGPerL: g, saltsGPerL: g + o, anoxic: anoxic.some((j) => m.present[i * V + j] === 1), ph: m.ph[i] };
  });
}
