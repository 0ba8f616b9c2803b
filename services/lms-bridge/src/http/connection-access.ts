import { type Actor, canManageOrganisation } from '@mathnet/auth';
import { NotAllowedError } from '@mathnet/kit';

/** Only the school's coordinator (school_admin) or a network admin sees or changes its LMS connections. */
export function assertManages(actor: Actor, organisationId: string): void {
  if (!canManageOrganisation(actor, organisationId)) {
    throw new NotAllowedError("Only the school's coordinator or a network administrator manages its LMS connections");
  }
}
