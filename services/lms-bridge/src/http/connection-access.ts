import { type Actor, canManageOrganisation, hasRole } from '@mathnet/auth';
import { NotAllowedError } from '@mathnet/kit';

/** Only the school's coordinator (school_admin) or a network admin sees or changes its LMS connections. */
export function assertManages(actor: Actor, organisationId: string): void {
  if (!canManageOrganisation(actor, organisationId)) {
    throw new NotAllowedError(
      "Only the school's coordinator or a network administrator manages its LMS connections",
    );
  }
}

/** Runs may also be started by the school's own machine client (its LMS calling back: webhooks, scheduled exports). */
export function assertMayTrigger(actor: Actor, organisationId: string): void {
  if (!canManageOrganisation(actor, organisationId) && !hasRole(actor, 'lms_client', organisationId)) {
    throw new NotAllowedError(
      "Only the school's coordinator, its LMS machine client or a network administrator starts its syncs",
    );
  }
}
