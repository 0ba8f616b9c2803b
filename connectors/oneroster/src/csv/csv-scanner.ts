/**
 * A record of a CSV text: its fields, the 1-based line it starts on and the
 * line it ends on (they differ when a quoted field holds line breaks).
 */
export interface ScannedRecord {
  fields: string[];
  line: number;
  endLine: number;
}

/** A record that breaks RFC 4180 quoting; the scanner goes on at the next line. */
export interface ScanError {
  line: number;
  error: string;
}

const QUOTE = 34;
const COMMA = 44;
const CR = 13;
const LF = 10;

/**
 * An RFC 4180 CSV scanner fed text chunk by chunk (what csv-parse did here,
 * several times faster: one pass of `charCodeAt`, `indexOf` for quoted
 * fields, no per-record info objects). Fields are separated by commas;
 * records by `\r\n`, `\n` or `\r` (exporters mix them); quoted fields may hold
 * commas, doubled quotes and line breaks; empty lines are skipped; a leading
 * BOM is dropped. A quote inside an unquoted field, or anything but a
 * separator after a closing quote, makes the record an error (reported with
 * its line) and scanning resumes on the next line.
 */
export class CsvScanner {
  private text = '';
  private line = 1;
  private started = false;
  /** Set when a broken line runs past the chunk: the next chunk first skips to a line break. */
  private skipping = false;

  /**
   * Scans what `chunk` completes; with `last`, the end of the text ends the
   * final record. Records and errors go to the callbacks in order.
   */
  feed(
    chunk: string,
    last: boolean,
    onRecord: (record: ScannedRecord) => void,
    onError: (error: ScanError) => void,
  ): void {
    let s = this.text.length > 0 ? this.text + chunk : chunk;
    if (!this.started && s.length > 0) {
      this.started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    const n = s.length;
    let i = 0;
    let line = this.line;
    if (this.skipping) {
      // The rest of a broken line from the last chunk.
      while (i < n && s.charCodeAt(i) !== LF && s.charCodeAt(i) !== CR) i++;
      if (i < n) this.skipping = false;
    }
    while (i < n) {
      const c0 = s.charCodeAt(i);
      // Empty lines are skipped.
      if (c0 === LF || c0 === CR) {
        if (c0 === CR && i + 1 >= n && !last) break; // a \r\n may be split across chunks
        i += c0 === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
        continue;
      }
      const start = i;
      const startLine = line;
      const fields: string[] = [];
      let error: string | undefined;
      let complete = false;
      for (;;) {
        // One field starts at i.
        if (i < n && s.charCodeAt(i) === QUOTE) {
          let value = '';
          let from = i + 1;
          let closed = false;
          for (;;) {
            const q = s.indexOf('"', from);
            if (q === -1) break;
            if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
              value += s.slice(from, q + 1);
              from = q + 2;
              continue;
            }
            if (q + 1 >= n && !last) break; // the next chunk may start with a second quote
            value += s.slice(from, q);
            // Line breaks inside the quoted value move the line on.
            for (let k = i + 1; k < q; k++) {
              const c = s.charCodeAt(k);
              if (c === LF || (c === CR && s.charCodeAt(k + 1) !== LF)) line++;
            }
            i = q + 1;
            closed = true;
            break;
          }
          if (!closed) {
            if (last)
              error = `Quote Not Closed: the parsing is finished with an opening quote at line ${startLine}`;
            break;
          }
          fields.push(value);
          if (i >= n) {
            if (last) complete = true;
            break;
          }
          const c = s.charCodeAt(i);
          if (c === COMMA) {
            i++;
            continue;
          }
          if (c === LF || c === CR) {
            complete = true;
            break;
          }
          error = `Invalid Closing Quote: got "${s[i]}" at line ${line} instead of delimiter, record delimiter, trimable character (if activated) or comment`;
          break;
        }
        let j = i;
        let c = -1;
        while (j < n) {
          c = s.charCodeAt(j);
          if (c === COMMA || c === LF || c === CR || c === QUOTE) break;
          j++;
        }
        if (j >= n) {
          if (last) {
            fields.push(s.slice(i, j));
            i = j;
            complete = true;
          }
          break;
        }
        if (c === QUOTE) {
          error = `Invalid Opening Quote: a quote is found on field ${fields.length} at line ${line}, value is "${s.slice(i, j)}"`;
          break;
        }
        fields.push(s.slice(i, j));
        i = j;
        if (c === COMMA) {
          i++;
          // A comma at the very end of the text still opens an (empty) last field.
          if (i >= n && last) {
            fields.push('');
            complete = true;
            break;
          }
          continue;
        }
        complete = true;
        break;
      }
      if (error !== undefined) {
        onError({ line: startLine, error });
        // Resume after the next line break.
        let k = i;
        while (k < n && s.charCodeAt(k) !== LF && s.charCodeAt(k) !== CR) k++;
        if (k >= n && !last) {
          // The rest of the broken line is not here yet: drop what there is, keep skipping.
          i = n;
          this.skipping = true;
          break;
        }
        i = k;
        continue;
      }
      if (!complete) {
        // The record goes on in the next chunk: scan it again from its start then.
        i = start;
        line = startLine;
        break;
      }
      onRecord({ fields, line: startLine, endLine: line });
      // i is at the record's line break (or the end of the text).
      if (i < n) {
        const c = s.charCodeAt(i);
        if (c === CR && i + 1 >= n && !last) continue; // the loop top waits for the \n
        i += c === CR && s.charCodeAt(i + 1) === LF ? 2 : 1;
        line++;
      }
    }
    this.text = i < n ? s.slice(i) : '';
    this.line = line;
  }
}
