import { type Actor, canManageOrganisation, isNetworkAdmin } from '@mathnet/auth';

/** Only the district (network admin) registers organisations. */
export function mayRegisterOrganisation(actor: Actor): boolean {
  return isNetworkAdmin(actor);
}

/** Fields a school's own coordinator may change; the rest (kind, hub status, status) are the district's. */
export const coordinatorEditableFields = new Set(['name', 'shortName', 'address', 'contacts', 'profiles']);

/** May the actor apply a patch with these fields to the organisation? */
export function mayPatchOrganisation(actor: Actor, organisationId: string, fields: string[]): boolean {
  if (isNetworkAdmin(actor)) return true;
  return (
    canManageOrganisation(actor, organisationId) && fields.every((f) => coordinatorEditableFields.has(f))
  );
}
