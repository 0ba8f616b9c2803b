import { hashPassword } from '@mathnet/auth';
import type { UnitOfWork } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { and, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { insertOrganisation, organisationSnapshot } from '../store/organisation-store';
import { findPerson, insertPerson, personSnapshot } from '../store/person-store';
import { accounts, organisations } from '../store/schema';

export interface AdminSettings {
  email: string;
  password: string;
  authorityName: string;
}

/**
 * First start: when no account has the configured admin e-mail, create the
 * district department (an `authority` organisation) if there is none, and a
 * network administrator there with that e-mail and password. Later starts change nothing.
 */
export async function ensureNetworkAdmin(
  work: UnitOfWork,
  settings: AdminSettings,
  logger: Logger,
): Promise<boolean> {
  const email = settings.email.toLowerCase();
  const passwordHash = await hashPassword(settings.password);
  return work.run(async (tx, emit) => {
    const [existing] = await tx.select().from(accounts).where(eq(accounts.email, email));
    if (existing) return false;
    let [authority] = await tx
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(eq(organisations.kind, 'authority'), eq(organisations.status, 'active')))
      .limit(1);
    if (!authority) {
      const org = await insertOrganisation(tx, uuidv7(), { name: settings.authorityName, kind: 'authority' });
      emit({
        type: 'mathnet.registry.organisation.registered',
        subject: org.id,
        data: organisationSnapshot(org),
      });
      authority = { id: org.id };
    }
    const personId = uuidv7();
    await insertPerson(tx, personId, {
      givenName: 'Администратор',
      familyName: 'Сети',
      roles: [{ role: 'network_admin', organisationId: authority.id }],
    });
    await tx.insert(accounts).values({ personId, email, passwordHash });
    const person = (await findPerson(tx, personId))!;
    emit({ type: 'mathnet.registry.person.registered', subject: personId, data: personSnapshot(person) });
    logger.info({ email }, 'created the network administrator');
    return true;
  });
}
