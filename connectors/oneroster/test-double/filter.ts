type Json = Record<string, unknown>;

/** A compiled `filter` of the OneRoster 1.2 REST binding. */
export type RecordFilter = (record: Json) => boolean;

const PREDICATE = /^\s*([A-Za-z][\w.]*)\s*(!=|>=|<=|=|>|<|~)\s*'([^']*)'\s*$/;
const DATE_FIELDS = new Set([
  'dateLastModified',
  'startDate',
  'endDate',
  'beginDate',
  'assignDate',
  'dueDate',
  'scoreDate',
]);

function fieldValue(record: Json, path: string): unknown {
  let value: unknown = record;
  for (const part of path.split('.')) value = (value as Json | undefined)?.[part];
  // A GUIDRef compares by its sourcedId (e.g. `school='org-1'`).
  if (value && typeof value === 'object' && 'sourcedId' in value) return (value as Json).sourcedId;
  return value;
}

function compile(field: string, op: string, literal: string): RecordFilter {
  return (record) => {
    const raw = fieldValue(record, field);
    if (raw === undefined || raw === null) return op === '!=';
    if (op === '~') return String(raw).toLowerCase().includes(literal.toLowerCase());
    let left: string | number = String(raw);
    let right: string | number = literal;
    if (DATE_FIELDS.has(field) && !Number.isNaN(Date.parse(left)) && !Number.isNaN(Date.parse(literal))) {
      left = Date.parse(left);
      right = Date.parse(literal);
    } else if (typeof raw === 'number' && Number.isFinite(Number(literal))) {
      left = raw;
      right = Number(literal);
    }
    switch (op) {
      case '=':
        return left === right;
      case '!=':
        return left !== right;
      case '>':
        return left > right;
      case '>=':
        return left >= right;
      case '<':
        return left < right;
      default:
        return left <= right;
    }
  };
}

/**
 * Parses `field op 'value'` predicates joined by ` AND ` or ` OR ` (one kind per
 * filter, as the binding allows). Returns a string saying what is wrong when
 * the filter cannot be read.
 */
export function parseFilter(filter: string): RecordFilter | string {
  const hasAnd = / AND /.test(filter);
  const hasOr = / OR /.test(filter);
  if (hasAnd && hasOr) return 'a filter may use AND or OR, not both';
  const parts = filter.split(hasOr ? / OR / : / AND /);
  const predicates: RecordFilter[] = [];
  for (const part of parts) {
    const m = PREDICATE.exec(part);
    if (!m) return `cannot read the filter predicate "${part.trim()}" (expected field op 'value')`;
    predicates.push(compile(m[1] as string, m[2] as string, m[3] as string));
  }
  return hasOr ? (r) => predicates.some((p) => p(r)) : (r) => predicates.every((p) => p(r));
}
