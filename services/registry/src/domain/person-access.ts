import {
  type Actor,
  hasRole,
  isNetworkAdmin,
  isParentOf,
  isSelf,
  organisationsWithRole,
} from '@mathnet/auth';

/** The organisations where the actor manages people (school coordinator). */
export function managedOrganisations(actor: Actor): string[] {
  return organisationsWithRole(actor, 'school_admin');
}

/**
 * May the actor give these roles to a person? A network admin may give any; a
 * school admin only roles at organisations they administer, and never network_admin.
 */
export function mayAssignRoles(actor: Actor, roles: { role: string; organisationId: string }[]): boolean {
  if (isNetworkAdmin(actor)) return true;
  const managed = new Set(managedOrganisations(actor));
  return roles.every((r) => r.role !== 'network_admin' && managed.has(r.organisationId));
}

/** May the actor change this person's record (a school admin: the person has a role at their school). */
export function mayManagePerson(actor: Actor, personOrganisations: string[]): boolean {
  if (isNetworkAdmin(actor)) return true;
  const managed = new Set(managedOrganisations(actor));
  return personOrganisations.some((id) => managed.has(id));
}

/**
 * May the actor read this person's record: admins as above, staff (coordinator or
 * teacher) of an organisation where the person has a role, the person, a parent of theirs.
 */
export function mayReadPerson(actor: Actor, personId: string, personOrganisations: string[]): boolean {
  if (isNetworkAdmin(actor) || isSelf(actor, personId) || isParentOf(actor, personId)) return true;
  return personOrganisations.some((id) => hasRole(actor, ['school_admin', 'teacher'], id));
}

/**
 * Which organisations' people the actor may list: `'all'` for a network admin,
 * otherwise where they are coordinator or teacher (may be empty: then only themselves).
 */
export function listableOrganisations(actor: Actor): 'all' | string[] {
  if (isNetworkAdmin(actor)) return 'all';
  return organisationsWithRole(actor, ['school_admin', 'teacher']);
}

/** Fields a person may change on their own record. */
export const selfEditableFields = new Set(['contacts']);
