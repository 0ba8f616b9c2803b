import type { Emit, Tx } from '@mathnet/db';
import { eq } from 'drizzle-orm';
import {
  applyStep,
  type EnrollmentRow,
  enrolledFromSchool,
  enrollmentEvent,
  waitlistOf,
} from '../store/enrollment-store';
import { offerings } from '../store/schema';

type OfferingRow = typeof offerings.$inferSelect;

/** The system actor recorded on automatic promotions from the waitlist. */
export const waitlistActor = 'system:waitlist';

/**
 * Whether a learner of `homeSchoolId` gets a seat now. Must run under the
 * offering's row lock (the caller locked it), which makes seat counting exact.
 */
export async function seatAvailable(
  tx: Tx,
  offering: OfferingRow,
  homeSchoolId: string | null,
): Promise<boolean> {
  if (offering.enrolledCount >= offering.capacity) return false;
  if (offering.schoolQuota === null) return true;
  return (await enrolledFromSchool(tx, offering.id, homeSchoolId)) < offering.schoolQuota;
}

/** Takes (+1) or frees (-1) a seat of the locked offering; returns the offering as it is now. */
export async function changeSeats(tx: Tx, offering: OfferingRow, delta: 1 | -1): Promise<OfferingRow> {
  const [row] = await tx
    .update(offerings)
    .set({ enrolledCount: offering.enrolledCount + delta })
    .where(eq(offerings.id, offering.id))
    .returning();
  return row!;
}

/**
 * Fills free seats from the waitlist in request order, skipping learners whose
 * school is at its quota. Runs under the offering's lock, so each waitlisted
 * learner is promoted once.
 */
export async function promoteWaitlisted(tx: Tx, locked: OfferingRow, emit: Emit): Promise<EnrollmentRow[]> {
  let offering = locked;
  const promoted: EnrollmentRow[] = [];
  for (const candidate of await waitlistOf(tx, offering.id)) {
    if (offering.enrolledCount >= offering.capacity) break;
    if (!(await seatAvailable(tx, offering, candidate.homeSchoolId))) continue;
    const row = await applyStep(tx, candidate, { action: 'promote', actorId: waitlistActor, to: 'enrolled' });
    offering = await changeSeats(tx, offering, 1);
    emit({
      type: 'mathnet.courses.enrollment.enrolled',
      subject: row.id,
      data: enrollmentEvent(row, offering.providerId, waitlistActor),
    });
    promoted.push(row);
  }
  return promoted;
}
