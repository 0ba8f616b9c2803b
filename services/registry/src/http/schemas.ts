import { consentPurposes, organisationKinds, organisationProfiles, roleNames } from '@mathnet/contracts';
import { z } from 'zod';
import '@mathnet/kit';

/*
 * Request and response shapes of the registry API. Request bodies are strict:
 * an unknown property is a 400 naming it, so a typo never passes silently.
 */

const trimmed = (max: number) => z.string().trim().min(1).max(max);

export const contactsSchema = z
  .strictObject({
    email: z.email().max(254).optional(),
    phone: z.string().trim().max(64).optional(),
    website: z.url().max(500).optional(),
  })
  .openapi('Contacts');

export const addressSchema = z
  .strictObject({
    region: z.string().trim().max(200).optional(),
    city: z.string().trim().max(200).optional(),
    street: z.string().trim().max(300).optional(),
    postalCode: z.string().trim().max(20).optional(),
  })
  .openapi('Address');

export const organisationCreateSchema = z
  .strictObject({
    name: trimmed(300),
    kind: z.enum(organisationKinds),
    shortName: trimmed(100).optional(),
    isHub: z.boolean().optional(),
    address: addressSchema.optional(),
    contacts: contactsSchema.optional(),
    profiles: z.array(z.enum(organisationProfiles)).max(3).optional(),
  })
  .openapi('OrganisationCreate');

export const organisationPatchSchema = z
  .strictObject({
    name: trimmed(300).optional(),
    kind: z.enum(organisationKinds).optional(),
    shortName: trimmed(100).nullable().optional(),
    isHub: z.boolean().optional(),
    address: addressSchema.nullable().optional(),
    contacts: contactsSchema.nullable().optional(),
    profiles: z.array(z.enum(organisationProfiles)).max(3).optional(),
    status: z.enum(['active', 'archived']).optional(),
  })
  .openapi('OrganisationPatch');

export const organisationSchema = z
  .object({
    id: z.uuid(),
    name: z.string(),
    shortName: z.string().nullable(),
    kind: z.enum(organisationKinds),
    isHub: z.boolean(),
    address: addressSchema.nullable(),
    contacts: contactsSchema.nullable(),
    profiles: z.array(z.enum(organisationProfiles)),
    status: z.enum(['active', 'archived']),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Organisation');

export const roleInputSchema = z
  .strictObject({
    role: z
      .enum(roleNames)
      .refine((r) => r !== 'lms_client', 'lms_client is for machine clients, not people'),
    organisationId: z.uuid(),
    grade: z.number().int().min(1).max(11).optional(),
    classLetter: z.string().trim().min(1).max(4).optional(),
    studentId: z.uuid().optional(),
  })
  .superRefine((role, ctx) => {
    if (role.role === 'parent' && !role.studentId) {
      ctx.addIssue({
        code: 'custom',
        path: ['studentId'],
        message: 'a parent role needs the studentId of the child',
      });
    }
    if (role.role !== 'student' && (role.grade !== undefined || role.classLetter !== undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: ['grade'],
        message: 'grade and classLetter belong to a student role only',
      });
    }
    if (role.role !== 'parent' && role.studentId !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['studentId'],
        message: 'studentId belongs to a parent role only',
      });
    }
  })
  .openapi('RoleAssignment');

const birthDate = z.iso
  .date()
  .refine((d) => d >= '1900-01-01' && d <= new Date().toISOString().slice(0, 10), {
    message: 'a birth date between 1900-01-01 and today',
  });

/** A password a person chooses: the one rule every form shows (length), checked the same everywhere. */
const newPassword = z.string().min(8, 'at least 8 characters').max(200);

export const personCreateSchema = z
  .strictObject({
    givenName: trimmed(100),
    familyName: trimmed(100),
    middleName: trimmed(100).optional(),
    birthDate: birthDate.optional(),
    contacts: contactsSchema.optional(),
    roles: z.array(roleInputSchema).min(1).max(20),
    account: z
      .strictObject({
        email: z.email().max(254),
        password: newPassword,
      })
      .optional(),
  })
  .openapi('PersonCreate');

export const personPatchSchema = z
  .strictObject({
    givenName: trimmed(100).optional(),
    familyName: trimmed(100).optional(),
    middleName: trimmed(100).nullable().optional(),
    birthDate: birthDate.nullable().optional(),
    contacts: contactsSchema.nullable().optional(),
    roles: z.array(roleInputSchema).min(1).max(20).optional(),
    status: z.enum(['active', 'archived']).optional(),
  })
  .openapi('PersonPatch');

export const personSchema = z
  .object({
    id: z.uuid(),
    givenName: z.string(),
    familyName: z.string(),
    middleName: z.string().nullable(),
    birthDate: z.string().nullable(),
    contacts: contactsSchema.nullable(),
    roles: z.array(
      z.object({
        role: z.enum(roleNames),
        organisationId: z.uuid(),
        grade: z.number().int().nullable(),
        classLetter: z.string().nullable(),
        studentId: z.uuid().nullable(),
      }),
    ),
    account: z.object({ email: z.string() }).nullable(),
    status: z.enum(['active', 'archived']),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('Person');

export const listQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional(),
});

export const organisationListQuerySchema = listQuerySchema.extend({
  kind: z.enum(organisationKinds).optional(),
  status: z.enum(['active', 'archived']).optional(),
  isHub: z.enum(['true', 'false']).optional(),
  q: z.string().trim().min(1).max(100).optional(),
});

export const personListQuerySchema = listQuerySchema.extend({
  organisationId: z.uuid().optional(),
  role: z.enum(roleNames).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  grade: z.coerce.number().int().min(1).max(11).optional(),
});

export const passwordChangeSchema = z
  .strictObject({ currentPassword: z.string().min(1).max(4096), newPassword })
  .openapi('PasswordChange');

export const clientCreateSchema = z.strictObject({ name: trimmed(200) }).openapi('ClientCreate');

export function listOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);
}

export type OrganisationCreate = z.infer<typeof organisationCreateSchema>;
export type OrganisationPatch = z.infer<typeof organisationPatchSchema>;
export type PersonCreate = z.infer<typeof personCreateSchema>;
export type PersonPatch = z.infer<typeof personPatchSchema>;
export type RoleInput = z.infer<typeof roleInputSchema>;
export type Organisation = z.infer<typeof organisationSchema>;
export type Person = z.infer<typeof personSchema>;

export const consentGrantSchema = z
  .strictObject({
    purpose: z.enum(consentPurposes),
    /** Required when a coordinator or the district records a consent signed on paper: where the form is. */
    evidence: trimmed(500).optional(),
  })
  .openapi('ConsentGrant');

export const consentWithdrawSchema = z
  .strictObject({ evidence: trimmed(500).optional() })
  .openapi('ConsentWithdraw');

export const consentSchema = z
  .object({
    id: z.uuid(),
    personId: z.uuid(),
    purpose: z.enum(consentPurposes),
    status: z.enum(['granted', 'withdrawn']),
    grantedBy: z.string(),
    grantedAt: z.iso.datetime({ offset: true }),
    evidence: z.string().nullable(),
    withdrawnBy: z.string().nullable(),
    withdrawnAt: z.iso.datetime({ offset: true }).nullable(),
  })
  .openapi('Consent');
