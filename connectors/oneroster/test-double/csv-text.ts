/** The OneRoster 1.2 CSV binding's column headers, in the spec's order. */
export const oneRosterHeaders = {
  orgs: ['sourcedId', 'status', 'dateLastModified', 'name', 'type', 'identifier', 'parentSourcedId'],
  academicSessions: [
    'sourcedId',
    'status',
    'dateLastModified',
    'title',
    'type',
    'startDate',
    'endDate',
    'parentSourcedId',
    'schoolYear',
  ],
  courses: [
    'sourcedId',
    'status',
    'dateLastModified',
    'schoolYearSourcedId',
    'title',
    'courseCode',
    'grades',
    'orgSourcedId',
    'subjects',
    'subjectCodes',
  ],
  classes: [
    'sourcedId',
    'status',
    'dateLastModified',
    'title',
    'grades',
    'courseSourcedId',
    'classCode',
    'classType',
    'location',
    'schoolSourcedId',
    'termSourcedIds',
    'subjects',
    'subjectCodes',
    'periods',
  ],
  users: [
    'sourcedId',
    'status',
    'dateLastModified',
    'enabledUser',
    'username',
    'userIds',
    'givenName',
    'familyName',
    'middleName',
    'identifier',
    'email',
    'sms',
    'phone',
    'agentSourcedIds',
    'grades',
    'password',
    'userMasterIdentifier',
    'resourceSourcedIds',
    'preferredGivenName',
    'preferredMiddleName',
    'preferredFamilyName',
    'primaryOrgSourcedId',
    'pronouns',
  ],
  roles: [
    'sourcedId',
    'status',
    'dateLastModified',
    'userSourcedId',
    'roleType',
    'role',
    'beginDate',
    'endDate',
    'orgSourcedId',
    'userProfileSourcedId',
  ],
  enrollments: [
    'sourcedId',
    'status',
    'dateLastModified',
    'classSourcedId',
    'schoolSourcedId',
    'userSourcedId',
    'role',
    'primary',
    'beginDate',
    'endDate',
  ],
  demographics: ['sourcedId', 'status', 'dateLastModified', 'birthDate', 'sex'],
  lineItems: [
    'sourcedId',
    'status',
    'dateLastModified',
    'title',
    'description',
    'assignDate',
    'dueDate',
    'classSourcedId',
    'categorySourcedId',
    'gradingPeriodSourcedId',
    'resultValueMin',
    'resultValueMax',
  ],
  results: [
    'sourcedId',
    'status',
    'dateLastModified',
    'lineItemSourcedId',
    'studentSourcedId',
    'scoreStatus',
    'score',
    'scoreDate',
    'comment',
  ],
} as const;

/** A CSV file the binding knows. */
export type OneRosterFile = keyof typeof oneRosterHeaders;

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One CSV field, quoted (RFC 4180) when it holds a comma, quote, line break or edge space. */
export function csvField(value: string | number | boolean | undefined | null): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV line (without the line break). */
export function csvLine(values: readonly (string | number | boolean | undefined | null)[]): string {
  return values.map(csvField).join(',');
}

/** A whole CSV text: the header, then one line per row (rows as arrays, or objects keyed by column). */
export function toCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number | boolean | undefined | null)[] | Record<string, unknown>)[],
  options: { bom?: boolean; eol?: '\n' | '\r\n' } = {},
): string {
  const eol = options.eol ?? '\r\n';
  const lines = [csvLine(header)];
  for (const row of rows) {
    if (Array.isArray(row)) lines.push(csvLine(row));
    else lines.push(csvLine(header.map((h) => (row as Record<string, string | undefined>)[h])));
  }
  return `${options.bom ? '\uFEFF' : ''}${lines.join(eol)}${eol}`;
}
