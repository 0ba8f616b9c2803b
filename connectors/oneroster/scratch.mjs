import { parse } from 'csv-parse';
import { Readable } from 'node:stream';
async function run(text) {
const p = Readable.from([text]).pipe(parse({ bom: true, columns: true, info: true, skip_empty_lines: true, record_delimiter: ['\r\n','\n','\r'], skip_records_with_error: true }));
p.on('skip', (e) => console.log('SKIP', e.code, e.message, 'lines', e.lines, 'records', e.records));
try { for await (const r of p) console.log(JSON.stringify(r.record), 'lines', r.info.lines, 'raw?', r.raw); } catch (e) { console.log('ERR', e.code, e.message, e.lines); }
}
await run('\uFEFFa,b\n1,"x\ny"\n\n2,"q,""r"""\r\n3,z\n4,5,6\n7,"bad"x,\n8,ok\n9,"unterminated\n10,ok\n');
await run('a,b\r\n1,2\r\n3,"Кир, ""илл"""\r\n');
