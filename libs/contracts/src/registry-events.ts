import { z } from 'zod';

export const organisationKinds = ['authority', 'school', 'gifted_centre', 'university', 'partner'] as const;
export const organisationProfiles = ['physics_maths', 'socio_economic', 'it'] as const;
export const roleNames = [
  'network_admin',
  'school_admin',
  'teacher',
  'student',
  'parent',
  'partner',
  'lms_client',
] as const;

export type OrganisationKind = (typeof organisationKinds)[number];
export type RoleName = (typeof roleNames)[number];

export const contactsSchema = z.object({
  email: z.string().email().optional(),
  phone: z.string().max(64).optional(),
  website: z.string().url().optional(),
});

/** What registry tells the network about an organisation (the whole current state). */
export const organisationSnapshotSchema = z.object({
  id: z.string().uuid(),
  name: z.string(),
  shortName: z.string().nullable(),
  kind: z.enum(organisationKinds),
  isHub: z.boolean(),
  profiles: z.array(z.enum(organisationProfiles)),
  status: z.enum(['active', 'archived']),
  /** Monotonic per organisation: consumers keep the highest version they saw. */
  version: z.number().int().positive(),
});

export const roleAssignmentSchema = z.object({
  role: z.enum(roleNames),
  organisationId: z.string().uuid(),
  grade: z.number().int().min(1).max(11).nullable().optional(),
  classLetter: z.string().max(4).nullable().optional(),
  /** For a parent: the student (person id) they are the parent of. */
  studentId: z.string().uuid().nullable().optional(),
});

/**
 * What registry tells the network about a person: names, roles and the birth date
 * (courses needs it to know whether a parent must consent); never contacts.
 */
export const personSnapshotSchema = z.object({
  id: z.string().uuid(),
  givenName: z.string(),
  familyName: z.string(),
  middleName: z.string().nullable(),
  birthDate: z.string().nullable().optional(),
  /** SHA-256 of the lower-cased e-mail (account or contact), so other services can match people without holding e-mails. */
  emailHash: z.string().nullable().optional(),
  roles: z.array(roleAssignmentSchema),
  status: z.enum(['active', 'archived']),
  version: z.number().int().positive(),
});

/** What happened to one person of a batch: the verb its own `person.*` event would have had. */
export const personChanges = ['registered', 'updated'] as const;

/** One person of a `people.changed` batch: the same snapshot `person.registered` / `person.updated` carry. */
export const personChangeSchema = z.object({
  change: z.enum(personChanges),
  person: personSnapshotSchema,
});

/**
 * `mathnet.registry.people.changed`: the people one batch changed (an LMS sync page), announced
 * as one event instead of one `person.*` event each (ADR 0007). Each person appears at most once;
 * consumers apply every snapshot exactly as they apply `person.registered` / `person.updated`,
 * keeping the highest `version` they saw, so batch and single events may interleave in any order.
 */
export const peopleChangedSchema = z.object({
  people: z.array(personChangeSchema).min(1).max(1000),
  /** What made the changes, when it was an LMS sync run. */
  source: z.object({ runId: z.string().uuid(), connectionId: z.string().uuid() }).optional(),
});

export type OrganisationSnapshot = z.infer<typeof organisationSnapshotSchema>;
export type PersonSnapshot = z.infer<typeof personSnapshotSchema>;

/**
 * The newest snapshot of each person among `snapshots` (a batch may name a person twice),
 * in id order: how a read model writes a batch in one statement, which may touch a row
 * only once, with concurrent batches locking rows in the same order.
 */
export function newestSnapshotsById(snapshots: PersonSnapshot[]): PersonSnapshot[] {
  const newest = new Map<string, PersonSnapshot>();
  for (const p of snapshots) {
    const seen = newest.get(p.id);
    if (!seen || seen.version < p.version) newest.set(p.id, p);
  }
  return [...newest.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
export type RoleAssignment = z.infer<typeof roleAssignmentSchema>;
export type PersonChange = z.infer<typeof personChangeSchema>;
export type PeopleChanged = z.infer<typeof peopleChangedSchema>;

export const registryEvents = {
  'mathnet.registry.organisation.registered': organisationSnapshotSchema,
  'mathnet.registry.organisation.updated': organisationSnapshotSchema,
  'mathnet.registry.person.registered': personSnapshotSchema,
  'mathnet.registry.person.updated': personSnapshotSchema,
  'mathnet.registry.people.changed': peopleChangedSchema,
} as const;
