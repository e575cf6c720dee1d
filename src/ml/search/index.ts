/**
 * Nearest-genome search over latent vectors: exact cosine top-k (ExactCosineIndex) and an
 * IVF-flat approximate index for large databases (IvfCosineIndex). Pure TypeScript, no I/O:
 * runs in Node, in the CLI and in Web Workers.
 */
export {
  ExactCosineIndex,
  mergeShardResults,
  normalizeRows,
  type BatchSearchResult,
  type ExactCosineIndexOptions,
  type NormalizeRowsOptions,
  type SearchOptions,
  type SearchResult,
  type ShardResult,
} from './exact-cosine';
export {
  IVF_DEFAULTS,
  IvfCosineIndex,
  resolveIvfOptions,
  type IvfBuildOptions,
  type IvfIndexOptions,
  type IvfParts,
  type IvfSearchOptions,
} from './ivf-index';
export { TopK } from './top-k';
