import type { Readable } from 'node:stream';
import { throwIfAborted } from '@mathnet/lms-sdk';
import { type CsvError, parse } from 'csv-parse';

/** One data row of a CSV file: its values by column name and the 1-based line it starts on. */
export interface CsvRow {
  line: number;
  values: Record<string, string>;
}

/** A row the CSV parser could not read (bad quoting, wrong number of fields). */
export interface CsvRowError {
  line: number;
  error: string;
}

function countLineBreaks(values: Record<string, string>): number {
  let n = 0;
  for (const value of Object.values(values)) {
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      // \r\n counts once, a lone \r or \n once.
      if (c === 10 || (c === 13 && value.charCodeAt(i + 1) !== 10)) n++;
    }
  }
  return n;
}

const parserOptions = {
  bom: true,
  // Exporters disagree on line endings, sometimes within one file.
  record_delimiter: ['\r\n', '\n', '\r'],
  skip_empty_lines: true,
  trim: false,
};

/**
 * Streams the rows of one CSV file (UTF-8, with or without BOM; RFC 4180 quoting,
 * so values may hold commas, quotes and line breaks). Rows the parser cannot
 * read are yielded as errors with their line, and parsing goes on. The stream
 * is destroyed when the consumer stops early or the signal aborts.
 */
export async function* readCsvRows(
  stream: Readable,
  signal?: AbortSignal,
): AsyncGenerator<CsvRow | CsvRowError> {
  const errors: CsvRowError[] = [];
  const parser = parse({
    ...parserOptions,
    columns: (header: string[]) => header.map((h) => h.trim()),
    info: true,
    skip_records_with_error: true,
  });
  parser.on('skip', (error: CsvError & { lines?: number }) => {
    errors.push({ line: error.lines ?? 0, error: error.message });
  });
  // Destroying the parser with the reason makes the pending read reject with it at once.
  const onAbort = () => parser.destroy(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  stream.on('error', (error) => parser.destroy(error));
  stream.pipe(parser);
  try {
    for await (const item of parser as AsyncIterable<{ record: Record<string, string>; info: { lines: number } }>) {
      throwIfAborted(signal);
      while (errors.length > 0) yield errors.shift() as CsvRowError;
      const { record, info } = item;
      yield { line: info.lines - countLineBreaks(record), values: record };
    }
    while (errors.length > 0) yield errors.shift() as CsvRowError;
    throwIfAborted(signal);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    stream.unpipe(parser);
    stream.destroy();
    parser.destroy();
  }
}

/** Reads only the header line of a CSV file (column names, trimmed, BOM removed). */
export async function readCsvHeader(stream: Readable): Promise<string[]> {
  const parser = parse({ ...parserOptions, to_line: 1 });
  stream.pipe(parser);
  try {
    for await (const header of parser as AsyncIterable<string[]>) return header.map((h) => h.trim());
    return [];
  } finally {
    stream.unpipe(parser);
    stream.destroy();
    parser.destroy();
  }
}
