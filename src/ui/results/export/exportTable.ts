import { tableToIPC } from 'apache-arrow';
import type { ResultCells } from '../arrowCells.ts';
import { toCsv } from './toCsv.ts';
import { toJson } from './toJson.ts';

export type ExportFormat = 'csv' | 'json' | 'arrow' | 'parquet';

export const EXPORT_FORMATS: { format: ExportFormat; label: string; ext: string; mime: string }[] = [
  { format: 'csv', label: 'CSV', ext: 'csv', mime: 'text/csv' },
  { format: 'json', label: 'JSON', ext: 'json', mime: 'application/json' },
  { format: 'arrow', label: 'Arrow IPC', ext: 'arrow', mime: 'application/vnd.apache.arrow.file' },
  { format: 'parquet', label: 'Parquet', ext: 'parquet', mime: 'application/vnd.apache.parquet' },
];

/**
 * A result as a file in one of the export formats. Arrow is the IPC *file* format (what
 * `.arrow` readers expect); Parquet is written by hyparquet-writer, loaded only when asked for.
 */
export async function exportTable(cells: ResultCells, format: ExportFormat): Promise<Uint8Array | string> {
  switch (format) {
    case 'csv':
      return toCsv(cells);
    case 'json':
      return toJson(cells);
    case 'arrow':
      return tableToIPC(cells.table, 'file');
    case 'parquet': {
      const { toParquet } = await import('./toParquet.ts');
      return toParquet(cells);
    }
  }
}
