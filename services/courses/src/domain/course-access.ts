import { type Actor, hasRole, isNetworkAdmin, isParentOf, isSelf } from '@mathnet/auth';

/** The parties of one enrollment, as access rules need them. */
export interface EnrollmentParties {
  studentId: string;
  homeSchoolId: string | null;
  providerId: string;
  teacherIds: string[];
}

/** Staff who run an organisation's offerings: its coordinator, or its partner staff (universities, partners). */
export function mayManageOfferingsOf(actor: Actor, providerId: string): boolean {
  return isNetworkAdmin(actor) || hasRole(actor, ['school_admin', 'partner'], providerId);
}

const homeCoordinator = (actor: Actor, p: EnrollmentParties) =>
  p.homeSchoolId !== null && hasRole(actor, 'school_admin', p.homeSchoolId);

/** The learner, a parent, or the home-school coordinator on their behalf. */
export function mayRequestFor(
  actor: Actor,
  p: Pick<EnrollmentParties, 'studentId' | 'homeSchoolId'>,
): boolean {
  return (
    isNetworkAdmin(actor) ||
    isSelf(actor, p.studentId) ||
    isParentOf(actor, p.studentId) ||
    (p.homeSchoolId !== null && hasRole(actor, 'school_admin', p.homeSchoolId))
  );
}

export function mayConsent(actor: Actor, p: EnrollmentParties): boolean {
  return isNetworkAdmin(actor) || isParentOf(actor, p.studentId);
}

export function mayApprove(actor: Actor, p: EnrollmentParties): boolean {
  return isNetworkAdmin(actor) || homeCoordinator(actor, p);
}

export function mayAccept(actor: Actor, p: EnrollmentParties): boolean {
  return mayManageOfferingsOf(actor, p.providerId);
}

/** The home school rejects before approval; the provider after it. */
export function mayReject(actor: Actor, p: EnrollmentParties, status: string): boolean {
  if (isNetworkAdmin(actor)) return true;
  return status === 'requested' || status === 'consented' ? homeCoordinator(actor, p) : mayAccept(actor, p);
}

export function mayWithdraw(actor: Actor, p: EnrollmentParties): boolean {
  return mayRequestFor(actor, p);
}

/** A teacher of the provider (or of the offering) records results, as does its coordinator. */
export function mayRecordResult(actor: Actor, p: EnrollmentParties): boolean {
  return (
    mayManageOfferingsOf(actor, p.providerId) ||
    hasRole(actor, 'teacher', p.providerId) ||
    (p.teacherIds.includes(actor.subject) && actor.kind === 'person')
  );
}

export function mayDecideCredit(actor: Actor, p: EnrollmentParties): boolean {
  return isNetworkAdmin(actor) || homeCoordinator(actor, p);
}

/** Who sees an enrollment: its parties and the staff of both schools. */
export function mayReadEnrollment(actor: Actor, p: EnrollmentParties): boolean {
  return (
    mayRequestFor(actor, p) ||
    mayRecordResult(actor, p) ||
    (p.homeSchoolId !== null && hasRole(actor, 'teacher', p.homeSchoolId))
  );
}
