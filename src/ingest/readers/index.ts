import type { SourceFormat } from '../../storage/manifest.ts';
import type { Reader } from '../ColumnBatch.ts';

/**
 * One reader per source format, loaded on first use: the Parquet decompressors and the JSON
 * stream parser stay out of the worker's startup for people who only drop CSV.
 */
const LOADERS: Record<SourceFormat, () => Promise<Reader>> = {
  csv: async () => (await import('./csv.ts')).csvReader(','),
  tsv: async () => (await import('./csv.ts')).csvReader('\t'),
  json: async () => (await import('./json.ts')).readJson,
  ndjson: async () => (await import('./ndjson.ts')).readNdjson,
  txt: async () => (await import('./txt.ts')).readTxt,
  arrow: async () => (await import('./arrow.ts')).readArrow,
  parquet: async () => (await import('./parquet.ts')).readParquet,
};

export function loadReader(format: SourceFormat): Promise<Reader> {
  return LOADERS[format]();
}
