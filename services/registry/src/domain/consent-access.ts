import { type Actor, hasRole, isNetworkAdmin, isParentOf, isSelf, mayReadAccessLog } from '@mathnet/auth';

/**
 * How the actor may give or withdraw a consent for a person:
 * - `own`: an adult for themself;
 * - `parent`: a parent for their minor child;
 * - `recorded`: a coordinator of one of the person's organisations, or the district, entering a
 *   consent signed on paper, which needs `evidence` (where the signed form is);
 * - undefined: not at all (a minor cannot consent alone; a teacher or another school cannot).
 */
export type ConsentAuthority = 'own' | 'parent' | 'recorded' | undefined;

export function consentAuthority(
  actor: Actor,
  person: { id: string; organisations: string[]; minor: boolean },
): ConsentAuthority {
  if (person.minor && isParentOf(actor, person.id)) return 'parent';
  if (!person.minor && isSelf(actor, person.id)) return 'own';
  if (isNetworkAdmin(actor) || person.organisations.some((id) => hasRole(actor, 'school_admin', id)))
    return 'recorded';
  return undefined;
}

/** Who sees a person's consents: the same people who see who accessed their data. */
export const mayReadConsents = mayReadAccessLog;
