import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { throwIfAborted } from '@mathnet/lms-sdk';
import { parse } from 'csv-parse';
import { CsvScanner, type ScannedRecord } from './csv-scanner';

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

const parserOptions = {
  bom: true,
  // Exporters disagree on line endings, sometimes within one file.
  record_delimiter: ['\r\n', '\n', '\r'],
  skip_empty_lines: true,
  trim: false,
};

/**
 * Streams the rows of one CSV file (UTF-8, with or without BOM; RFC 4180 quoting,
 * so values may hold commas, quotes and line breaks), in batches of what one
 * chunk of the file completes (one await per chunk, not per row: a
 * 500,000-row file is read at scanning speed). The first row names the
 * columns; a row with fewer fields lacks the last columns, one with more is an
 * error. Rows that cannot be read come as errors with their line, and reading
 * goes on. The stream is destroyed when the consumer stops early; an aborted
 * signal stops the reading with its reason.
 */
export async function* readCsvRows(
  stream: Readable,
  signal?: AbortSignal,
): AsyncGenerator<(CsvRow | CsvRowError)[]> {
  const decoder = new StringDecoder('utf8');
  const scanner = new CsvScanner();
  let columns: string[] | undefined;
  let batch: (CsvRow | CsvRowError)[] = [];
  const onRecord = (record: ScannedRecord) => {
    const { fields } = record;
    if (!columns) {
      columns = fields.map((h) => h.trim());
      return;
    }
    if (fields.length > columns.length) {
      batch.push({
        line: record.line,
        error: `Invalid Record Length: columns length is ${columns.length}, got ${fields.length} on line ${record.endLine}`,
      });
      return;
    }
    const values: Record<string, string> = {};
    for (let k = 0; k < fields.length; k++) values[columns[k] as string] = fields[k] as string;
    batch.push({ line: record.line, values });
  };
  const onError = (error: CsvRowError) => {
    batch.push(error);
  };
  try {
    for await (const chunk of stream) {
      throwIfAborted(signal);
      scanner.feed(
        typeof chunk === 'string' ? chunk : decoder.write(chunk as Buffer),
        false,
        onRecord,
        onError,
      );
      if (batch.length > 0) {
        const out = batch;
        batch = [];
        yield out;
      }
    }
    throwIfAborted(signal);
    scanner.feed(decoder.end(), true, onRecord, onError);
    if (batch.length > 0) yield batch;
  } finally {
    stream.destroy();
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
