import { expect } from 'chai';
import { parse } from 'csv-parse/sync';
import { CsvScanner, type ScanError, type ScannedRecord } from './csv-scanner';

function scan(chunks: string[]): { records: ScannedRecord[]; errors: ScanError[] } {
  const scanner = new CsvScanner();
  const records: ScannedRecord[] = [];
  const errors: ScanError[] = [];
  for (const [i, chunk] of chunks.entries()) {
    scanner.feed(
      chunk,
      i === chunks.length - 1,
      (r) => records.push(r),
      (e) => errors.push(e),
    );
  }
  return { records, errors };
}

/** Cuts `text` at pseudo-random places (a fixed seed: the same cuts every run). */
function cut(text: string, seed: number): string[] {
  const out: string[] = [];
  let x = seed;
  for (let i = 0; i < text.length; ) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const n = 1 + (x % 7);
    out.push(text.slice(i, i + n));
    i += n;
  }
  out.push('');
  return out;
}

describe('CsvScanner', () => {
  const values = ['', 'a', 'Школа № 5', '"Гимназия"', 'a,b', 'line\nbreak', 'cr\r\nlf', 'x"y', ' sp ', '\r'];
  const field = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);

  it('reads what csv-parse reads, wherever the chunks are cut, with the line each record starts on', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const rows: string[][] = [];
      let text = '\uFEFF';
      const eols = ['\n', '\r\n', '\r'];
      for (let r = 0; r < 30; r++) {
        const row = [0, 1, 2, 3].map((c) => values[(seed * 7 + r * 3 + c * 5) % values.length]!);
        rows.push(row);
        text += row.map(field).join(',') + eols[(seed + r) % 3];
        if (r % 9 === 4) text += '\n';
      }
      const expected = parse(text, {
        bom: true,
        record_delimiter: ['\r\n', '\n', '\r'],
        skip_empty_lines: true,
        relax_column_count: true,
        info: true,
      }) as unknown as { record: string[]; info: { lines: number } }[];
      for (const chunks of [[text], cut(text, seed)]) {
        const { records, errors } = scan(chunks);
        expect(errors).to.deep.equal([]);
        expect(records.map((r) => r.fields)).to.deep.equal(expected.map((e) => e.record));
        // csv-parse counts a \r\n inside a quoted value as two lines; it is one.
        const crlf = (fields: string[]) => fields.join('').split('\r\n').length - 1;
        const breaks = (fields: string[]) => (fields.join('').match(/\r\n|\r|\n/g) ?? []).length;
        let extra = 0;
        const ends = expected.map((e) => {
          extra += crlf(e.record);
          return e.info.lines - extra;
        });
        expect(records.map((r) => r.endLine)).to.deep.equal(ends);
        expect(records.map((r) => r.line)).to.deep.equal(expected.map((e, k) => ends[k]! - breaks(e.record)));
      }
    }
  });

  it('reports a broken record with its line and goes on with the next line', () => {
    const text = 'a,b\n1,x"y\n2,"ok"\n3,"bad"z,4\n5,6';
    for (const chunks of [[text], cut(text, 3)]) {
      const { records, errors } = scan(chunks);
      expect(records.map((r) => [r.line, ...r.fields])).to.deep.equal([
        [1, 'a', 'b'],
        [3, '2', 'ok'],
        [5, '5', '6'],
      ]);
      expect(errors.map((e) => e.line)).to.deep.equal([2, 4]);
      expect(errors[0]?.error).to.match(/Invalid Opening Quote/);
      expect(errors[1]?.error).to.match(/Invalid Closing Quote/);
    }
  });

  it('ends the last record at the end of the text, with or without a line break', () => {
    expect(scan(['a,b']).records.map((r) => r.fields)).to.deep.equal([['a', 'b']]);
    expect(scan(['a,', '']).records.map((r) => r.fields)).to.deep.equal([['a', '']]);
    expect(scan(['"a"', '']).records.map((r) => r.fields)).to.deep.equal([['a']]);
    expect(scan(['"a', '']).errors[0]?.error).to.match(/Quote Not Closed/);
  });
});
