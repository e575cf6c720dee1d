/**
 * What the ranking of a eukaryote's genome is worth, in one wording for the JSON notes of
 * `recommend` and both places of the Media tab that say it (ConditionsPanel, RankedMedia).
 */
export const EUKARYOTE_MEDIA_NOTE =
  'the database has no evidence for eukaryotic media (its BacDive strains are bacteria and archaea, and no eukaryote in it has known media), so these are the media of its nearest prokaryotes, not a recommendation for it';
