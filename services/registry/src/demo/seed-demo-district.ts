import { hashPassword } from '@mathnet/auth';
import type { UnitOfWork } from '@mathnet/db';
import type { Logger } from '@mathnet/kit';
import { and, eq } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import type { OrganisationCreate, RoleInput } from '../http/schemas';
import { insertOrganisation, organisationSnapshot } from '../store/organisation-store';
import { findPerson, insertPerson, personSnapshot } from '../store/person-store';
import { accounts, organisations } from '../store/schema';
import {
  familyNames,
  femaleGivenNames,
  feminineFamilyName,
  maleGivenNames,
  patronymics,
} from './russian-names';

/** The password of every demo account (printed by the standalone mode). */
export const demoPassword = 'demo-password';

const demoOrganisations: (OrganisationCreate & { code: string })[] = [
  {
    code: 'lyceum1',
    name: 'МБОУ «Лицей № 1»',
    shortName: 'Лицей № 1',
    kind: 'school',
    isHub: true,
    profiles: ['physics_maths'],
  },
  {
    code: 'gymn2',
    name: 'МБОУ «Гимназия № 2»',
    shortName: 'Гимназия № 2',
    kind: 'school',
    isHub: true,
    profiles: ['it', 'socio_economic'],
  },
  {
    code: 'school3',
    name: 'МБОУ «Средняя школа № 3»',
    shortName: 'СШ № 3',
    kind: 'school',
    profiles: ['physics_maths'],
  },
  { code: 'school5', name: 'МБОУ «Средняя школа № 5»', shortName: 'СШ № 5', kind: 'school' },
  {
    code: 'school7',
    name: 'МБОУ «Средняя школа № 7»',
    shortName: 'СШ № 7',
    kind: 'school',
    profiles: ['socio_economic'],
  },
  { code: 'school9', name: 'МБОУ «Средняя школа № 9»', shortName: 'СШ № 9', kind: 'school' },
  {
    code: 'school12',
    name: 'МБОУ «Средняя школа № 12»',
    shortName: 'СШ № 12',
    kind: 'school',
    profiles: ['it'],
  },
  {
    code: 'centre',
    name: 'Центр поддержки одарённых детей «Эврика»',
    shortName: 'Центр «Эврика»',
    kind: 'gifted_centre',
  },
  {
    code: 'university',
    name: 'Технический университет (партнёр сети)',
    shortName: 'ТехУниверситет',
    kind: 'university',
  },
];

/** A small deterministic generator so every demo district is the same. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

export interface DemoSummary {
  organisations: number;
  people: number;
  accounts: { role: string; email: string; organisation: string }[];
}

/**
 * Loads the demo district: the department (already there), 7 schools (2 hubs),
 * the gifted-children centre, a partner university, coordinators, teachers,
 * 126 students and some parents. Does nothing when schools already exist.
 */
export async function seedDemoDistrict(work: UnitOfWork, logger: Logger): Promise<DemoSummary | undefined> {
  const passwordHash = await hashPassword(demoPassword);
  return work.run(async (tx, emit) => {
    const [anySchool] = await tx
      .select({ id: organisations.id })
      .from(organisations)
      .where(eq(organisations.kind, 'school'))
      .limit(1);
    if (anySchool) return undefined;
    const random = generator(2026);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
    const summary: DemoSummary = { organisations: 0, people: 0, accounts: [] };

    const addPerson = async (
      female: boolean,
      roles: RoleInput[],
      birthYear: number,
      email?: string,
    ): Promise<string> => {
      const id = uuidv7();
      const family = pick(familyNames);
      const month = String(1 + Math.floor(random() * 12)).padStart(2, '0');
      const day = String(1 + Math.floor(random() * 28)).padStart(2, '0');
      await insertPerson(tx, id, {
        givenName: pick(female ? femaleGivenNames : maleGivenNames),
        familyName: female ? feminineFamilyName(family) : family,
        middleName: pick(patronymics)[female ? 1 : 0],
        birthDate: `${birthYear}-${month}-${day}`,
        roles,
      });
      if (email) await tx.insert(accounts).values({ personId: id, email, passwordHash });
      const person = (await findPerson(tx, id))!;
      emit({ type: 'mathnet.registry.person.registered', subject: id, data: personSnapshot(person) });
      summary.people += 1;
      return id;
    };

    const [authority] = await tx
      .select({ id: organisations.id })
      .from(organisations)
      .where(and(eq(organisations.kind, 'authority'), eq(organisations.status, 'active')))
      .limit(1);
    if (authority) {
      await addPerson(
        true,
        [{ role: 'network_admin', organisationId: authority.id }],
        1980,
        'district@demo.mathnet.local',
      );
      summary.accounts.push({
        role: 'network_admin',
        email: 'district@demo.mathnet.local',
        organisation: 'Управление образования',
      });
    }

    for (const { code, ...input } of demoOrganisations) {
      const org = await insertOrganisation(tx, uuidv7(), {
        ...input,
        address: { region: 'Демонстрационный район', city: 'Город N' },
        contacts: { email: `${code}@demo.mathnet.local` },
      });
      emit({
        type: 'mathnet.registry.organisation.registered',
        subject: org.id,
        data: organisationSnapshot(org),
      });
      summary.organisations += 1;
      const isSchool = org.kind === 'school';

      const coordinatorEmail = `coordinator.${code}@demo.mathnet.local`;
      await addPerson(
        random() < 0.7,
        [{ role: 'school_admin', organisationId: org.id }],
        1975,
        coordinatorEmail,
      );
      summary.accounts.push({
        role: 'school_admin',
        email: coordinatorEmail,
        organisation: org.shortName ?? org.name,
      });

      const teachers = isSchool ? 3 : 2;
      for (let t = 0; t < teachers; t += 1) {
        const email = t === 0 ? `teacher.${code}@demo.mathnet.local` : undefined;
        const role = org.kind === 'university' ? 'partner' : 'teacher';
        await addPerson(
          random() < 0.6,
          [{ role, organisationId: org.id }],
          1965 + Math.floor(random() * 30),
          email,
        );
        if (email) summary.accounts.push({ role, email, organisation: org.shortName ?? org.name });
      }
      if (!isSchool) continue;

      for (let s = 0; s < 18; s += 1) {
        const grade = s < 9 ? 10 : 11;
        const email = s === 0 ? `student.${code}@demo.mathnet.local` : undefined;
        const studentId = await addPerson(
          random() < 0.5,
          [{ role: 'student', organisationId: org.id, grade, classLetter: pick(['А', 'Б', 'В']) }],
          grade === 10 ? 2010 : 2009,
          email,
        );
        if (email) summary.accounts.push({ role: 'student', email, organisation: org.shortName ?? org.name });
        if (s < 3) {
          const parentEmail = s === 0 ? `parent.${code}@demo.mathnet.local` : undefined;
          await addPerson(
            random() < 0.6,
            [{ role: 'parent', organisationId: org.id, studentId }],
            1982,
            parentEmail,
          );
          if (parentEmail)
            summary.accounts.push({
              role: 'parent',
              email: parentEmail,
              organisation: org.shortName ?? org.name,
            });
        }
      }
    }
    logger.info({ organisations: summary.organisations, people: summary.people }, 'demo district loaded');
    return summary;
  });
}
