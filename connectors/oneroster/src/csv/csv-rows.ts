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
  for (const key in values) {
    const value = values[key] as string;
    // Most values have no line break: let the native search say so.
    if (value.indexOf('\n') === -1 && value.indexOf('\r') === -1) continue;
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

type ParsedItem = { record: Record<string, string>; info: { lines: number } };

/** Resolves when the stream has data, ended or closed; rejects with its error. */
function whenReadable(stream: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = () => {
      cleanup();
      resolve();
    };
    const fail = (error: Error) => {
      cleanup();
      reject(error);
    };
    const cleanup = () => {
      stream.off('readable', done);
      stream.off('end', done);
      stream.off('close', done);
      stream.off('error', fail);
    };
    stream.on('readable', done);
    stream.on('end', done);
    stream.on('close', done);
    stream.on('error', fail);
  });
}

/** Rows per batch: enough to make the per-batch awaits negligible, small enough to stay light. */
const BATCH = 512;

/**
 * Streams the rows of one CSV file (UTF-8, with or without BOM; RFC 4180 quoting,
 * so values may hold commas, quotes and line breaks), in batches of what the
 * parser has ready (one await per batch, not per row: a 500,000-row file is
 * read at parser speed). Rows the parser cannot read come as errors with their
 * line, and parsing goes on. The stream is destroyed when the consumer stops
 * early or the signal aborts (the pending read then rejects with the reason).
 */
export async function* readCsvRows(
  stream: Readable,
  signal?: AbortSignal,
): AsyncGenerator<(CsvRow | CsvRowError)[]> {
  const errors: CsvRowError[] = [];
  const parser = parse({
    ...parserOptions,
    columns: (header: string[]) => header.map((h) => h.trim()),
    info: true,
    // Trailing empty fields left out read as empty; extra fields are an error (which column would they be?).
    relax_column_count_less: true,
    skip_records_with_error: true,
  });
  parser.on('skip', (error: CsvError & { lines?: number }) => {
    errors.push({ line: error.lines ?? 0, error: error.message });
  });
  // Errors are read from parser.errored (and whenReadable) where the loop can throw them;
  // without a listener an error while the consumer holds a page would be uncaught.
  parser.on('error', () => undefined);
  const onAbort = () => parser.destroy(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  stream.on('error', (error) => parser.destroy(error));
  stream.pipe(parser);
  try {
    for (;;) {
      throwIfAborted(signal);
      if (parser.errored) throw parser.errored;
      const batch: (CsvRow | CsvRowError)[] = [];
      while (batch.length < BATCH) {
        const item = parser.read() as ParsedItem | null;
        if (item === null) break;
        while (errors.length > 0) batch.push(errors.shift() as CsvRowError);
        batch.push({ line: item.info.lines - countLineBreaks(item.record), values: item.record });
      }
      if (batch.length > 0) {
        yield batch;
        continue;
      }
      if (parser.readableEnded || parser.destroyed) {
        if (parser.errored) throw parser.errored;
        throwIfAborted(signal);
        if (errors.length > 0) yield errors.splice(0);
        return;
      }
      await whenReadable(parser);
    }
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
