import { type RoleName, roleNames } from '@mathnet/contracts';
import { z } from 'zod';

export type { RoleName } from '@mathnet/contracts';

/** One role of a person (or machine client) at one organisation. */
export interface RoleGrant {
  role: RoleName;
  organisationId: string;
  /** For a `parent` grant: the student (person id) they are the parent of. */
  studentId?: string;
}

/** Who makes a request, as read from a verified access token. */
export interface Actor {
  /** Person id, or client id for machines. */
  subject: string;
  kind: 'person' | 'client';
  roles: RoleGrant[];
  /** Display name, when the token carries one. */
  name?: string;
}

/** A role grant as carried in the token: short keys keep tokens small. */
export interface CompactGrant {
  r: RoleName;
  o: string;
  s?: string;
}

/** The mathnet-specific claims of an access token. */
export interface ActorClaims {
  sub: string;
  kind: 'person' | 'client';
  roles: CompactGrant[];
  name?: string;
}

const knownRoles = new Set<string>(roleNames);

const claimsSchema = z.object({
  sub: z.string().min(1),
  kind: z.enum(['person', 'client']),
  // Role names are checked below, not here: a grant of a role this process does not know yet
  // (a newer registry during a rolling deploy) is dropped instead of rejecting the whole token.
  roles: z.array(z.object({ r: z.string(), o: z.string().min(1), s: z.string().min(1).optional() })),
  name: z.string().optional(),
});

/** The claims that describe an actor. */
export function actorToClaims(actor: Actor): ActorClaims {
  return {
    sub: actor.subject,
    kind: actor.kind,
    roles: actor.roles.map((g) => ({
      r: g.role,
      o: g.organisationId,
      ...(g.studentId ? { s: g.studentId } : {}),
    })),
    ...(actor.name !== undefined ? { name: actor.name } : {}),
  };
}

/** Reads the actor from verified claims; `undefined` when they do not have the expected shape. */
export function claimsToActor(payload: unknown): Actor | undefined {
  const parsed = claimsSchema.safeParse(payload);
  if (!parsed.success) return undefined;
  const { sub, kind, roles, name } = parsed.data;
  return {
    subject: sub,
    kind,
    roles: roles
      .filter((g) => knownRoles.has(g.r))
      .map((g) => ({ role: g.r as RoleName, organisationId: g.o, ...(g.s ? { studentId: g.s } : {}) })),
    ...(name !== undefined ? { name } : {}),
  };
}
