/**
 * The growth database, for the app's worker and the CLI alike: everything here takes a sql.js
 * SqlJsStatic / Database and plain data, and uses no Node or DOM API (node-*.ts are the Node-only
 * modules and are not exported here).
 */
export { APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, migrate, tablesAtVersion } from './migrations';
export { createDatabase, exportSnapshot, gzipSnapshot, isGzipBytes, isSqliteBytes, openSnapshot, readSqliteHeader, type SnapshotReport } from './snapshot-file';
export { importMediadive, MEDIADIVE_FILES, type MediadiveImportReport, type MediadiveTexts } from './import-mediadive';
export { addGenome, deleteGenome, findGenomeByHash, getGenomeCounts, ORGANISM_TYPES, type GenomeMeta, type OrganismType } from './genomes';
export { decodeFloat32, decodeProfileCounts, encodeFloat32, encodeProfileCounts, profileContentHash } from './profile-blob';
export { genomeLinks, linkGenome, proposeLinks, setGenomeLink, storedGenomeLabels, type GenomeLabels, type LinkLevel } from './link';
export { buildStrainIndex, type StrainIndex } from './strain-index';
export { GROWTH_QUALITY_FACTOR, LINK_LEVEL_FACTOR, growthConfidence, propagateGrowth } from './propagate';
export { mergeDatabase, type MergeReport } from './merge';
export { collectStats, formatStatsText, type DbStats, type StatSection } from './stats';
export { findCcnos, normalizeCcno, parseCcno } from './culture-collections';
export { recordLabOutcome, listLabOutcomes, latestOutcomes, getLabOutcome, deleteLabOutcome, findGenomeByContentHash, LAB_OUTCOME_NOTE_MAX, type RecordLabOutcomeInput } from './lab-outcomes';
