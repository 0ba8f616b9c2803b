import { z } from 'zod';

/**
 * What a person (for a minor: a parent) agrees to, under Russian personal-data law (152-ФЗ):
 * - `personal_data`: the network processes their personal data at all;
 * - `sharing_with_providers`: schools, the centre and universities that teach them see it;
 * - `publication`: their results, ratings and portfolio may be published.
 */
export const consentPurposes = ['personal_data', 'sharing_with_providers', 'publication'] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];

/** A consent as registry keeps it: who gave it, when, for what, and whether it was withdrawn. */
export const consentSnapshotSchema = z.object({
  id: z.string().uuid(),
  personId: z.string().uuid(),
  purpose: z.enum(consentPurposes),
  status: z.enum(['granted', 'withdrawn']),
  /** Who gave it: the person, a parent, or a coordinator recording a paper form (`evidence`). */
  grantedBy: z.string(),
  grantedAt: z.string().datetime({ offset: true }),
  /** For a consent recorded on someone's behalf: where the signed form is (e.g. "form № 17, school office"). */
  evidence: z.string().nullable(),
  withdrawnBy: z.string().nullable(),
  withdrawnAt: z.string().datetime({ offset: true }).nullable(),
});
export type ConsentSnapshot = z.infer<typeof consentSnapshotSchema>;

export const consentEvents = {
  'mathnet.registry.consent.granted': consentSnapshotSchema,
  'mathnet.registry.consent.withdrawn': consentSnapshotSchema,
} as const;

/** True while the person born on `birthDate` (ISO date) is under 18 on `onDate`; unknown counts as a minor. */
export function isMinor(birthDate: string | null, onDate: Date): boolean {
  if (!birthDate) return true;
  const [y, m, d] = birthDate.split('-').map(Number) as [number, number, number];
  const eighteenth = Date.UTC(y + 18, m - 1, d);
  return onDate.getTime() < eighteenth;
}
