import type { Tx } from '@mathnet/db';
import { and, inArray, sql } from 'drizzle-orm';
import { personView } from '../store/schema';

export interface MatchCandidate {
  sourceId: string;
  givenName: string;
  familyName: string;
  birthDate: string | null;
  emailHash: string | null;
}

/**
 * Finds people already in the network for LMS users the bridge has never seen:
 * by e-mail first, then by name + birth date + school. Returns external id →
 * network id; a person is matched at most once.
 */
export async function matchPeople(
  tx: Tx,
  organisationId: string,
  candidates: MatchCandidate[],
  taken: Set<string>,
): Promise<Map<string, string>> {
  const matched = new Map<string, string>();
  if (candidates.length === 0) return matched;
  const hashes = candidates.flatMap((c) => (c.emailHash ? [c.emailHash] : []));
  const byEmail = hashes.length
    ? await tx
        .select({ id: personView.id, emailHash: personView.emailHash })
        .from(personView)
        .where(inArray(personView.emailHash, hashes))
    : [];
  const emailOwner = new Map(byEmail.map((p) => [p.emailHash!, p.id]));
  const withBirth = candidates.filter((c) => c.birthDate);
  const byName = withBirth.length
    ? await tx
        .select({
          id: personView.id,
          givenName: personView.givenName,
          familyName: personView.familyName,
          birthDate: personView.birthDate,
        })
        .from(personView)
        .where(
          and(
            inArray(personView.familyName, [...new Set(withBirth.map((c) => c.familyName))]),
            sql`${organisationId} = any(${personView.organisationIds})`,
          ),
        )
    : [];
  const key = (g: string, f: string, b: string | null) => `${g.toLowerCase()}|${f.toLowerCase()}|${b}`;
  const nameOwner = new Map(byName.map((p) => [key(p.givenName, p.familyName, p.birthDate), p.id]));
  for (const c of candidates) {
    const id =
      (c.emailHash && emailOwner.get(c.emailHash)) ||
      (c.birthDate ? nameOwner.get(key(c.givenName, c.familyName, c.birthDate)) : undefined);
    if (id && !taken.has(id)) {
      matched.set(c.sourceId, id);
      taken.add(id);
    }
  }
  return matched;
}
