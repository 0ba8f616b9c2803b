import { hasRole, isNetworkAdmin, isSelf, requireActor } from '@mathnet/auth';
import type { Db } from '@mathnet/db';
import { NotAllowedError, NotFoundError, uuidParam } from '@mathnet/kit';
import { and, asc, eq } from 'drizzle-orm';
import { Router } from 'express';
import { enrollments, offerings, organisationView, personView } from '../store/schema';
import { logAccess } from './access-log-router';
import type { TeacherTraining } from './route-schemas';

/** `/v1/teachers/{id}/training`: a teacher's professional development record in the network. */
export function teachersRouter(db: Db): Router {
  const router = Router();

  router.get('/v1/teachers/:id/training', async (req, res) => {
    const actor = requireActor(req);
    const teacherId = uuidParam(req.params.id, 'teacher');
    const [person] = await db.select().from(personView).where(eq(personView.id, teacherId));
    const schools = (person?.roles ?? []).filter((r) => r.role === 'teacher').map((r) => r.organisationId);
    // The teacher sees their record even before registry's facts arrive; others only of a known teacher.
    if (!isSelf(actor, teacherId) && schools.length === 0) throw new NotFoundError(`No teacher ${teacherId}`);
    const allowed =
      isNetworkAdmin(actor) ||
      isSelf(actor, teacherId) ||
      schools.some((school) => hasRole(actor, 'school_admin', school));
    if (!allowed)
      throw new NotAllowedError(
        "A teacher's training record is seen by the teacher, their school's coordinator and the district",
      );

    const rows = await db
      .select({
        enrollment: enrollments,
        offering: offerings,
        providerName: organisationView.name,
        providerShortName: organisationView.shortName,
      })
      .from(enrollments)
      .innerJoin(offerings, eq(offerings.id, enrollments.offeringId))
      .leftJoin(organisationView, eq(organisationView.id, offerings.providerId))
      .where(and(eq(enrollments.studentId, teacherId), eq(offerings.audience, 'teachers')))
      .orderBy(asc(enrollments.seq));
    const items = rows.map(({ enrollment: e, offering: o, providerName, providerShortName }) => ({
      enrollmentId: e.id,
      offeringId: o.id,
      title: o.title,
      providerId: o.providerId,
      provider: providerName ? { name: providerName, shortName: providerShortName ?? null } : null,
      hours: o.hours,
      termStart: o.termStart,
      termEnd: o.termEnd,
      status: e.status as TeacherTraining['items'][number]['status'],
      result:
        e.passed === null
          ? null
          : { mark: e.mark, hours: e.resultHours, passed: e.passed, certificateNumber: e.certificateNumber },
      updatedAt: e.updatedAt.toISOString(),
    }));
    const completedHours = items
      .filter((i) => i.status === 'completed')
      .reduce((sum, i) => sum + (i.result?.hours ?? i.hours ?? 0), 0);
    const body: TeacherTraining = {
      teacherId,
      teacher: person
        ? { givenName: person.givenName, familyName: person.familyName, middleName: person.middleName }
        : null,
      items,
      completedHours: Math.round(completedHours * 100) / 100,
    };
    await logAccess(db, req, 'read', [teacherId]);
    res.json(body);
  });

  return router;
}
