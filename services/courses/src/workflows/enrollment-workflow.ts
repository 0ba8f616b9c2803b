import type { Actor } from '@mathnet/auth';
import type { Emit, Tx, UnitOfWork } from '@mathnet/db';
import { ConflictError, InputError, NotAllowedError, NotFoundError } from '@mathnet/kit';
import { eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import {
  type EnrollmentParties,
  mayAccept,
  mayApprove,
  mayConsent,
  mayDecideCredit,
  mayRecordResult,
  mayReject,
  mayRequestFor,
  mayWithdraw,
} from '../domain/course-access';
import {
  assertTransition,
  confirmedStatuses,
  type EnrollmentAction,
  type EnrollmentStatus,
  isMinor,
  statusAfter,
} from '../domain/enrollment-machine';
import { findClash } from '../domain/timetable';
import { lockForAcceptance, settleAcceptance } from '../store/acceptance-store';
import {
  activeEnrollmentOf,
  applyStep,
  type Enrollment,
  type EnrollmentRow,
  enrollmentEvent,
  findEnrollmentRow,
  otherOfferingsOf,
  toEnrollment,
} from '../store/enrollment-store';
import { findOfferingRow } from '../store/offering-store';
import { creditDecisions, enrollments, offerings, personView } from '../store/schema';
import { changeSeats, promoteWaitlisted } from './seat-allocation';

type OfferingRow = NonNullable<Awaited<ReturnType<typeof findOfferingRow>>>;

export interface CompleteInput {
  passed: boolean;
  mark?: string | undefined;
  hours?: number | undefined;
  certificateNumber?: string | undefined;
}

export interface CreditInput {
  decision: 'credited' | 'reassessed' | 'refused';
  subject?: string | undefined;
  hours?: number | undefined;
  note?: string | undefined;
}

const parties = (e: EnrollmentRow, o: OfferingRow): EnrollmentParties => ({
  studentId: e.studentId,
  homeSchoolId: e.homeSchoolId,
  providerId: o.providerId,
  teacherIds: o.teacherIds,
});

const emitStep = (
  emit: Emit,
  row: EnrollmentRow,
  offering: Pick<OfferingRow, 'providerId'>,
  actorId: string,
) => {
  const verb = row.status === 'consented' ? undefined : row.status;
  if (verb)
    emit({
      type: `mathnet.courses.enrollment.${verb}`,
      subject: row.id,
      data: enrollmentEvent(row, offering.providerId, actorId),
    });
};

/**
 * Enrollment across schools: request → (parental consent) → home-school approval →
 * provider acceptance (enrolled or waitlisted) → completed / failed, or withdrawn /
 * rejected. Every transition locks the offering row first, then the enrollment:
 * one lock order everywhere (no deadlocks) and exact seat counts.
 */
export class EnrollmentWorkflow {
  constructor(private readonly work: UnitOfWork) {}

  /** A seat request by the learner, a parent, or the home-school coordinator. */
  async request(actor: Actor, offeringId: string, studentId: string): Promise<EnrollmentRow> {
    return this.work.run(async (tx, emit) => {
      const offering = await findOfferingRow(tx, offeringId, true);
      if (!offering || offering.status === 'draft') throw new NotFoundError(`No offering ${offeringId}`);
      if (offering.status !== 'published')
        throw new ConflictError('The offering is archived and takes no requests');
      if (offering.origin === 'lms') {
        throw new ConflictError(
          "This is a class of the school's own LMS: its enrolments come from the LMS, not from network requests",
        );
      }
      const [person] = await tx.select().from(personView).where(eq(personView.id, studentId));
      const wanted = offering.audience === 'teachers' ? 'teacher' : 'student';
      const role = person?.roles.find((r) => r.role === wanted);
      if (person?.status !== 'active' || !role) {
        throw new InputError(`studentId: ${studentId} is not an active ${wanted} of the network`);
      }
      const homeSchoolId = role.organisationId;
      if (!mayRequestFor(actor, { studentId, homeSchoolId })) {
        throw new NotAllowedError(
          'A seat is requested by the learner, a parent, or their home-school coordinator',
        );
      }
      if (wanted === 'student' && (role.grade == null || !offering.grades.includes(role.grade))) {
        throw new ConflictError(
          `The offering is for grades ${offering.grades.join(', ')}; the student is in grade ${role.grade ?? 'unknown'}`,
        );
      }
      if (await activeEnrollmentOf(tx, offeringId, studentId)) {
        throw new ConflictError('The learner already has an active request or seat in this offering');
      }
      const [row] = await tx
        .insert(enrollments)
        .values({
          id: uuidv7(),
          offeringId,
          studentId,
          homeSchoolId,
          status: 'requested',
          needsConsent: wanted === 'student' && isMinor(person.birthDate, new Date()),
          requestedBy: actor.subject,
        })
        .returning();
      const created = await applyStep(
        tx,
        { ...row!, version: 0, status: 'requested' },
        { action: 'request', actorId: actor.subject, to: 'requested' },
      );
      emitStep(emit, created, offering, actor.subject);
      return created;
    });
  }

  /** Runs one transition under the offering's and the enrollment's locks. */
  private async transition<T>(
    enrollmentId: string,
    run: (tx: Tx, emit: Emit, offering: OfferingRow, enrollment: EnrollmentRow) => Promise<T>,
  ): Promise<T> {
    return this.work.run(async (tx, emit) => {
      // Lock the enrollment's offering first (found through the enrollment in the same statement), then the enrollment.
      const [offering] = await tx
        .select()
        .from(offerings)
        .where(
          sql`${offerings.id} = (select ${enrollments.offeringId} from ${enrollments} where ${enrollments.id} = ${enrollmentId})`,
        )
        .for('update');
      if (!offering) throw new NotFoundError(`No enrollment ${enrollmentId}`);
      const enrollment = (await findEnrollmentRow(tx, enrollmentId, true))!;
      return run(tx, emit, offering, enrollment);
    });
  }

  /**
   * The provider accepts an approved enrollment: enrolled when a seat (and the school's quota)
   * allows, waitlisted otherwise. Two statements under the unit of work (lock, then settle:
   * see acceptance-store), and the answer comes from what they returned, not from a re-read.
   */
  async accept(actor: Actor, enrollmentId: string): Promise<{ row: EnrollmentRow; answer: Enrollment }> {
    return this.work.run(async (tx, emit) => {
      const locked = await lockForAcceptance(tx, enrollmentId);
      if (!locked) throw new NotFoundError(`No enrollment ${enrollmentId}`);
      const { offering, enrollment } = locked;
      const p = { ...enrollment, providerId: offering.providerId, teacherIds: offering.teacherIds };
      if (!mayAccept(actor, p)) throw new NotAllowedError('You may not accept this enrollment');
      assertTransition('accept', enrollment.status, enrollment.needsConsent);
      const { row, student } = await settleAcceptance(tx, locked, actor.subject);
      emitStep(emit, row, offering, actor.subject);
      // An enrollment that was approved has no credit decision (that follows completion).
      const answer = toEnrollment(row, {
        offering: { title: offering.title, providerId: offering.providerId, kind: offering.kind },
        student,
        credit: null,
      });
      return { row, answer };
    });
  }

  async act(
    actor: Actor,
    enrollmentId: string,
    action: Exclude<EnrollmentAction, 'complete'>,
    reason?: string,
  ): Promise<EnrollmentRow> {
    if (action === 'accept') return (await this.accept(actor, enrollmentId)).row;
    return this.transition(enrollmentId, async (tx, emit, offering, e) => {
      const p = parties(e, offering);
      const allowed = {
        consent: mayConsent,
        approve: mayApprove,
        accept: mayAccept,
        reject: (a: Actor, x: EnrollmentParties) => mayReject(a, x, e.status),
        withdraw: mayWithdraw,
      }[action](actor, p);
      if (!allowed) throw new NotAllowedError(`You may not ${action} this enrollment`);
      assertTransition(action, e.status as EnrollmentStatus, e.needsConsent);
      if (action === 'reject' && !reason) throw new InputError('reason: a rejection says why');

      if (action === 'approve') {
        const others = await otherOfferingsOf(tx, e.studentId, e.offeringId, confirmedStatuses);
        const clash = findClash(offering, others);
        if (clash) {
          throw new ConflictError(
            `Timetable clash with «${clash.with.title}» on weekday ${clash.slot.weekday} ${clash.slot.start}-${clash.slot.end}`,
            {
              clashWith: clash.with.id,
            },
          );
        }
      }
      const row = await applyStep(tx, e, {
        action,
        actorId: actor.subject,
        to: statusAfter(action),
        ...(reason ? { reason } : {}),
      });
      emitStep(emit, row, offering, actor.subject);
      if (action === 'withdraw' && e.status === 'enrolled') {
        await promoteWaitlisted(tx, await changeSeats(tx, offering, -1), emit);
      }
      return row;
    });
  }

  /** Records the result: completed when passed, failed otherwise. */
  async complete(actor: Actor, enrollmentId: string, result: CompleteInput): Promise<EnrollmentRow> {
    return this.transition(enrollmentId, async (tx, emit, offering, e) => {
      if (!mayRecordResult(actor, parties(e, offering)))
        throw new NotAllowedError('A teacher of the provider records results');
      assertTransition('complete', e.status as EnrollmentStatus, e.needsConsent);
      const row = await applyStep(tx, e, {
        action: 'complete',
        actorId: actor.subject,
        to: result.passed ? 'completed' : 'failed',
        set: {
          passed: result.passed,
          mark: result.mark ?? null,
          resultHours: result.hours ?? offering.hours,
          certificateNumber: result.certificateNumber ?? null,
        },
      });
      emitStep(emit, row, offering, actor.subject);
      return row;
    });
  }

  /** The home school's credit-transfer decision on a finished enrollment (once). */
  async decideCredit(actor: Actor, enrollmentId: string, input: CreditInput): Promise<EnrollmentRow> {
    return this.transition(enrollmentId, async (tx, emit, offering, e) => {
      if (!mayDecideCredit(actor, parties(e, offering)))
        throw new NotAllowedError('The home school decides on credit');
      if (e.status !== 'completed' && e.status !== 'failed') {
        throw new ConflictError(
          `Credit is decided once the enrollment is completed or failed; it is ${e.status}`,
        );
      }
      const [existing] = await tx
        .select()
        .from(creditDecisions)
        .where(eq(creditDecisions.enrollmentId, e.id));
      if (existing) throw new ConflictError(`Credit was already decided: ${existing.decision}`);
      const subject = input.subject ?? offering.subjects[0] ?? null;
      const hours = input.decision === 'refused' ? 0 : (input.hours ?? e.resultHours ?? offering.hours);
      await tx.insert(creditDecisions).values({
        enrollmentId: e.id,
        decision: input.decision,
        subject,
        hours,
        note: input.note ?? null,
        decidedBy: actor.subject,
      });
      emit({
        type: 'mathnet.courses.credit.decided',
        subject: e.id,
        data: {
          enrollmentId: e.id,
          studentId: e.studentId,
          homeSchoolId: e.homeSchoolId!,
          decision: input.decision,
          subject,
          hours,
          decidedBy: actor.subject,
        },
      });
      return e;
    });
  }
}
