import type { Route } from '../http/route-schemas';

/** The columns of a route's CSV export, in order. */
export const routeCsvHeader = [
  'subject',
  'level',
  'kind',
  'title',
  'provider',
  'hours',
  'completed hours',
  'status',
] as const;

/**
 * One CSV field (RFC 4180): quoted when it holds a comma, quote or line break.
 * Text starting with = + - @ (or a tab / CR) gets a leading apostrophe so a
 * spreadsheet shows it instead of running it as a formula (CSV injection).
 */
export function csvField(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * A route's items as CSV: UTF-8 with a byte-order mark so Excel reads Cyrillic,
 * comma separated, CRLF line ends, one header row.
 */
export function routeCsv(route: Route): string {
  const lines = [routeCsvHeader.join(',')];
  for (const item of route.items) {
    lines.push(
      [
        item.subject,
        item.level,
        item.offeringKind ?? item.kind,
        item.title,
        item.provider?.name ?? '',
        item.hours,
        item.completedHours,
        item.status,
      ]
        .map(csvField)
        .join(','),
    );
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
