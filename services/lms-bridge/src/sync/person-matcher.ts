import { sql } from 'drizzle-orm';
import type { Runner } from '../store/mapping-store';

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
 * network id; a person is matched at most once. Both look-ups join the
 * candidates' exact keys (e-mail hash; family name + birth date, the given
 * name compared here in any letter case, as JavaScript lowercases any script),
 * so a page reads only the people it could match, never the whole school.
 */
export async function matchPeople(
  db: Runner,
  organisationId: string,
  candidates: MatchCandidate[],
  taken: Set<string>,
): Promise<Map<string, string>> {
  const matched = new Map<string, string>();
  if (candidates.length === 0) return matched;
  const hashes = [...new Set(candidates.flatMap((c) => (c.emailHash ? [c.emailHash] : [])))];
  const byEmail = hashes.length
    ? (
        await db.execute<{ id: string; email_hash: string }>(
          sql`select id, email_hash from lms_bridge.person_view where email_hash = any(${sql.param(hashes)}::text[])`,
        )
      ).rows
    : [];
  const emailOwner = new Map(byEmail.map((p) => [p.email_hash, p.id]));
  const withBirth = candidates.filter((c) => c.birthDate);
  const byName = withBirth.length
    ? (
        await db.execute<{ id: string; given_name: string; family_name: string; birth_date: string | null }>(
          sql`select p.id, p.given_name, p.family_name, p.birth_date
              from lms_bridge.person_view p
              join (select distinct f, b from unnest(
                      ${sql.param(withBirth.map((c) => c.familyName))}::text[],
                      ${sql.param(withBirth.map((c) => c.birthDate))}::text[]) as c(f, b)) c
                on p.family_name = c.f and p.birth_date = c.b
              where ${organisationId}::uuid = any(p.organisation_ids)`,
        )
      ).rows.map((p) => ({
        id: p.id,
        givenName: p.given_name,
        familyName: p.family_name,
        birthDate: p.birth_date,
      }))
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
