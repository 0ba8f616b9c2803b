const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/;

function isRealDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    date.getUTCFullYear() === Number(m[1]) &&
    date.getUTCMonth() === Number(m[2]) - 1 &&
    date.getUTCDate() === Number(m[3])
  );
}

/** Whether `value` is a OneRoster date (`YYYY-MM-DD`, a real calendar day). */
export function isOneRosterDate(value: string): boolean {
  return isRealDate(value);
}

/** Normalises a OneRoster dateTime (ISO 8601) to UTC `toISOString()` form, or undefined when it is not one. */
export function normaliseDateTime(value: string): string | undefined {
  if (!DATE_TIME.test(value) || !isRealDate(value.slice(0, 10))) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

/** Splits a OneRoster multi-value field (`"a,b,c"` inside one quoted CSV field). */
export function splitList(value: string | undefined): string[] {
  if (!value) return [];
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

/**
 * Reads the typed values of one CSV row and collects what is wrong with them,
 * so a row is rejected once with every problem named (`missing required value:
 * givenName; birthDate: "2010-13-01" is not a date (YYYY-MM-DD)`).
 */
export class RowReader {
  readonly problems: string[] = [];

  constructor(
    private readonly values: Record<string, string>,
    readonly mode: 'bulk' | 'delta',
  ) {}

  /** A trimmed value, undefined when empty or the column is absent. */
  opt(column: string): string | undefined {
    const value = this.values[column]?.trim();
    return value === undefined || value === '' ? undefined : value;
  }

  /** A value that must be there (an empty string when missing, with the problem noted). */
  req(column: string): string {
    const value = this.opt(column);
    if (value === undefined) {
      this.problems.push(`missing required value: ${column}`);
      return '';
    }
    return value;
  }

  /** A comma-separated list; `required` means at least one item. */
  list(column: string, required = false): string[] {
    const items = splitList(this.values[column]);
    if (required && items.length === 0) this.problems.push(`missing required value: ${column}`);
    return items;
  }

  /** One of `allowed` (exact spelling, as the spec's vocabularies are case-sensitive). */
  oneOf<T extends string>(column: string, allowed: readonly T[], required: boolean): T | undefined {
    const value = required ? this.req(column) : this.opt(column);
    if (!value) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      this.problems.push(`${column}: unknown value "${value}" (expected one of ${allowed.join(', ')})`);
      return undefined;
    }
    return value as T;
  }

  /** `true` or `false` (any letter case). */
  bool(column: string, required = false): boolean | undefined {
    const value = required ? this.req(column) : this.opt(column);
    if (!value) return undefined;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    this.problems.push(`${column}: "${value}" is not true or false`);
    return undefined;
  }

  /** A date `YYYY-MM-DD`. */
  date(column: string, required = false): string | undefined {
    const value = required ? this.req(column) : this.opt(column);
    if (!value) return undefined;
    if (!isRealDate(value)) {
      this.problems.push(`${column}: "${value}" is not a date (YYYY-MM-DD)`);
      return undefined;
    }
    return value;
  }

  /** A dateTime (ISO 8601), normalised to UTC; with `dateOnly`, a plain date is accepted as is. */
  dateTime(column: string, required = false, dateOnly = false): string | undefined {
    const value = required ? this.req(column) : this.opt(column);
    if (!value) return undefined;
    if (dateOnly && isRealDate(value)) return value;
    const normalised = normaliseDateTime(value);
    if (!normalised) this.problems.push(`${column}: "${value}" is not an ISO 8601 date-time`);
    return normalised;
  }

  /** A decimal number. */
  number(column: string, required = false): number | undefined {
    const value = required ? this.req(column) : this.opt(column);
    if (!value) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n)) {
      this.problems.push(`${column}: "${value}" is not a number`);
      return undefined;
    }
    return n;
  }

  /**
   * The columns every OneRoster file starts with. Delta files must say the
   * status and when the record changed; bulk files may leave both empty.
   */
  base(): { sourcedId: string; status: 'active' | 'tobedeleted'; dateLastModified?: string } {
    const sourcedId = this.req('sourcedId');
    const delta = this.mode === 'delta';
    const status = this.oneOf('status', ['active', 'tobedeleted'] as const, delta) ?? 'active';
    const dateLastModified = this.dateTime('dateLastModified', delta);
    return dateLastModified === undefined ? { sourcedId, status } : { sourcedId, status, dateLastModified };
  }
}
