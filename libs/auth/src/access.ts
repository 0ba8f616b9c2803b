import { NotAllowedError } from '@mathnet/kit';
import type { Actor, RoleName } from './actor';

/** True when the actor is a district (network) administrator. */
export function isNetworkAdmin(actor: Actor): boolean {
  return actor.roles.some((grant) => grant.role === 'network_admin');
}

/**
 * True when the actor holds one of `role` — at `organisationId` when given,
 * anywhere otherwise.
 */
export function hasRole(actor: Actor, role: RoleName | RoleName[], organisationId?: string): boolean {
  const wanted = Array.isArray(role) ? role : [role];
  return actor.roles.some(
    (grant) =>
      wanted.includes(grant.role) &&
      (organisationId === undefined || grant.organisationId === organisationId),
  );
}

/** The organisations (without duplicates) where the actor holds one of `role`. */
export function organisationsWithRole(actor: Actor, role: RoleName | RoleName[]): string[] {
  const wanted = Array.isArray(role) ? role : [role];
  const ids = new Set<string>();
  for (const grant of actor.roles) if (wanted.includes(grant.role)) ids.add(grant.organisationId);
  return [...ids];
}

/** A network admin manages every organisation; a school admin (coordinator) their own. */
export function canManageOrganisation(actor: Actor, organisationId: string): boolean {
  return isNetworkAdmin(actor) || hasRole(actor, 'school_admin', organisationId);
}

/** True when the actor is this person (machine clients never are). */
export function isSelf(actor: Actor, personId: string): boolean {
  return actor.kind === 'person' && actor.subject === personId;
}

/** True when the actor has a parent grant for this student. */
export function isParentOf(actor: Actor, studentId: string): boolean {
  return actor.roles.some((grant) => grant.role === 'parent' && grant.studentId === studentId);
}

/**
 * May the actor read who accessed this person's data (any service's access log): the
 * person, a parent of theirs, the district, a coordinator of an organisation where the
 * person has a role. Reading the log is not itself logged.
 */
export function mayReadAccessLog(actor: Actor, personId: string, personOrganisations: string[]): boolean {
  if (isSelf(actor, personId) || isParentOf(actor, personId) || isNetworkAdmin(actor)) return true;
  return personOrganisations.some((id) => hasRole(actor, 'school_admin', id));
}

/** Throws NotAllowedError (403) with `detail` unless `condition` holds. */
export function assertAllowed(condition: boolean, detail: string): asserts condition {
  if (!condition) throw new NotAllowedError(detail);
}
