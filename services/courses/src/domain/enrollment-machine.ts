import type { enrollmentStatuses } from '@mathnet/contracts';
import { ConflictError } from '@mathnet/kit';

export type EnrollmentStatus = (typeof enrollmentStatuses)[number];
export type EnrollmentAction = 'consent' | 'approve' | 'accept' | 'reject' | 'withdraw' | 'complete';

/** Statuses from which each action may start. */
const from: Record<EnrollmentAction, EnrollmentStatus[]> = {
  consent: ['requested'],
  approve: ['requested', 'consented'],
  accept: ['approved'],
  reject: ['requested', 'consented', 'approved', 'waitlisted'],
  withdraw: ['requested', 'consented', 'approved', 'waitlisted', 'enrolled'],
  complete: ['enrolled'],
};

/** Statuses in which an enrollment still holds or seeks a seat (one such per student and offering). */
export const activeStatuses: EnrollmentStatus[] = [
  'requested',
  'consented',
  'approved',
  'waitlisted',
  'enrolled',
];

/** Statuses that count against the student's timetable. */
export const confirmedStatuses: EnrollmentStatus[] = ['approved', 'waitlisted', 'enrolled'];

/**
 * Checks that `action` may happen now and says so precisely when not (409).
 * `accept` and `complete` have outcomes decided elsewhere (seats, result).
 */
export function assertTransition(
  action: EnrollmentAction,
  status: EnrollmentStatus,
  needsConsent: boolean,
): void {
  if (!from[action].includes(status)) {
    throw new ConflictError(`Cannot ${action} an enrollment that is ${status}`, { currentStatus: status });
  }
  if (action === 'consent' && !needsConsent) {
    throw new ConflictError('This enrollment needs no parental consent (the learner is an adult)', {
      currentStatus: status,
    });
  }
  if (action === 'approve' && status === 'requested' && needsConsent) {
    throw new ConflictError('A parent must consent before the home school approves', {
      currentStatus: status,
    });
  }
}

/** The status an action leads to, for the actions whose outcome is fixed. */
export function statusAfter(action: Exclude<EnrollmentAction, 'accept' | 'complete'>): EnrollmentStatus {
  return ({ consent: 'consented', approve: 'approved', reject: 'rejected', withdraw: 'withdrawn' } as const)[
    action
  ];
}

/** Whether a learner needs a parent's consent: shared with registry's consent records. */
export { isMinor } from '@mathnet/contracts';
