import type { Actor } from '../src/actor';

/** A coordinator of one school who also teaches at another. */
export const coordinator: Actor = {
  subject: '0190d1c2-0000-7000-8000-000000000001',
  kind: 'person',
  name: 'Ada Lovelace',
  roles: [
    { role: 'school_admin', organisationId: '0190d1c2-0000-7000-8000-00000000000a' },
    { role: 'teacher', organisationId: '0190d1c2-0000-7000-8000-00000000000b' },
    {
      role: 'parent',
      organisationId: '0190d1c2-0000-7000-8000-00000000000a',
      studentId: '0190d1c2-0000-7000-8000-000000000002',
    },
  ],
};

/** A controllable clock in milliseconds. */
export function fakeClock(start = Date.parse('2025-09-01T08:00:00Z')): {
  now: () => number;
  advance(ms: number): void;
} {
  let current = start;
  return {
    now: () => current,
    advance(ms: number) {
      current += ms;
    },
  };
}
