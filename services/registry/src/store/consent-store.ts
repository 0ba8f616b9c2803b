import type { ConsentPurpose, ConsentSnapshot } from '@mathnet/contracts';
import type { Db, Tx } from '@mathnet/db';
import { and, desc, eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { consents } from './schema';

type ConsentRow = typeof consents.$inferSelect;

export function consentSnapshot(row: ConsentRow): ConsentSnapshot {
  return {
    id: row.id,
    personId: row.personId,
    purpose: row.purpose as ConsentPurpose,
    status: row.status as ConsentSnapshot['status'],
    grantedBy: row.grantedBy,
    grantedAt: row.grantedAt.toISOString(),
    evidence: row.evidence,
    withdrawnBy: row.withdrawnBy,
    withdrawnAt: row.withdrawnAt?.toISOString() ?? null,
  };
}

/** Records a granted consent; a second granted one for the same purpose breaks the unique index (23505). */
export async function insertConsent(
  tx: Tx,
  consent: { personId: string; purpose: ConsentPurpose; grantedBy: string; evidence: string | null },
): Promise<ConsentSnapshot> {
  const [row] = await tx
    .insert(consents)
    .values({ id: uuidv7(), status: 'granted', ...consent })
    .returning();
  return consentSnapshot(row!);
}

/** Withdraws a granted consent; undefined when there is no such granted consent of this person. */
export async function withdrawConsent(
  tx: Tx,
  personId: string,
  consentId: string,
  withdrawnBy: string,
): Promise<ConsentSnapshot | undefined> {
  const [row] = await tx
    .update(consents)
    .set({ status: 'withdrawn', withdrawnBy, withdrawnAt: sql`now()` })
    .where(and(eq(consents.id, consentId), eq(consents.personId, personId), eq(consents.status, 'granted')))
    .returning();
  return row ? consentSnapshot(row) : undefined;
}

export async function findConsent(db: Db | Tx, personId: string, consentId: string) {
  const [row] = await db
    .select()
    .from(consents)
    .where(and(eq(consents.id, consentId), eq(consents.personId, personId)));
  return row ? consentSnapshot(row) : undefined;
}

/** A person's consents, newest first, withdrawn ones included (the history). */
export async function listConsents(db: Db | Tx, personId: string): Promise<ConsentSnapshot[]> {
  const rows = await db
    .select()
    .from(consents)
    .where(eq(consents.personId, personId))
    .orderBy(desc(consents.grantedAt), desc(consents.id));
  return rows.map(consentSnapshot);
}
