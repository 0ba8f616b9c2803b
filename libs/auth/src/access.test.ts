import { NotAllowedError } from '@mathnet/kit';
import { expect } from 'chai';
import {
  assertAllowed,
  canManageOrganisation,
  hasRole,
  isNetworkAdmin,
  isParentOf,
  isSelf,
  mayReadAccessLog,
  organisationsWithRole,
} from './access';
import type { Actor } from './actor';

const schoolA = 'org-a';
const schoolB = 'org-b';
const district = 'org-district';

const admin: Actor = {
  subject: 'p-admin',
  kind: 'person',
  roles: [{ role: 'network_admin', organisationId: district }],
};
const coordinator: Actor = {
  subject: 'p-coord',
  kind: 'person',
  roles: [
    { role: 'school_admin', organisationId: schoolA },
    { role: 'teacher', organisationId: schoolA },
    { role: 'teacher', organisationId: schoolB },
  ],
};
const parent: Actor = {
  subject: 'p-parent',
  kind: 'person',
  roles: [{ role: 'parent', organisationId: schoolA, studentId: 'p-child' }],
};
const client: Actor = {
  subject: 'p-admin',
  kind: 'client',
  roles: [{ role: 'lms_client', organisationId: schoolA }],
};

describe('access helpers', () => {
  it('isNetworkAdmin is true only with a network_admin grant', () => {
    expect(isNetworkAdmin(admin)).to.equal(true);
    expect(isNetworkAdmin(coordinator)).to.equal(false);
  });

  it('hasRole checks one role or any of several, anywhere or at one organisation', () => {
    expect(hasRole(coordinator, 'teacher')).to.equal(true);
    expect(hasRole(coordinator, 'teacher', schoolB)).to.equal(true);
    expect(hasRole(coordinator, 'school_admin', schoolB)).to.equal(false);
    expect(hasRole(coordinator, ['student', 'school_admin'], schoolA)).to.equal(true);
    expect(hasRole(coordinator, ['student', 'parent'])).to.equal(false);
    expect(hasRole(parent, [])).to.equal(false);
  });

  it('organisationsWithRole lists each organisation once', () => {
    expect(organisationsWithRole(coordinator, 'teacher')).to.deep.equal([schoolA, schoolB]);
    expect(organisationsWithRole(coordinator, ['school_admin', 'teacher'])).to.deep.equal([schoolA, schoolB]);
    expect(organisationsWithRole(coordinator, 'school_admin')).to.deep.equal([schoolA]);
    expect(organisationsWithRole(parent, 'teacher')).to.deep.equal([]);
  });

  it('canManageOrganisation: a network admin anywhere, a school admin at their school only', () => {
    expect(canManageOrganisation(admin, schoolB)).to.equal(true);
    expect(canManageOrganisation(coordinator, schoolA)).to.equal(true);
    expect(canManageOrganisation(coordinator, schoolB)).to.equal(false);
    expect(canManageOrganisation(parent, schoolA)).to.equal(false);
  });

  it('isSelf is true for the person only, never for a machine client with the same id', () => {
    expect(isSelf(admin, 'p-admin')).to.equal(true);
    expect(isSelf(admin, 'p-other')).to.equal(false);
    expect(isSelf(client, 'p-admin')).to.equal(false);
  });

  it('isParentOf needs a parent grant for that student', () => {
    expect(isParentOf(parent, 'p-child')).to.equal(true);
    expect(isParentOf(parent, 'p-other')).to.equal(false);
    expect(isParentOf(coordinator, 'p-child')).to.equal(false);
  });

  it('assertAllowed throws NotAllowedError with the detail', () => {
    expect(() => assertAllowed(true, 'never')).not.to.throw();
    expect(() => assertAllowed(false, 'Only a coordinator of org-b may do this'))
      .to.throw(NotAllowedError, 'Only a coordinator of org-b may do this')
      .with.property('status', 403);
  });
});

describe('mayReadAccessLog', () => {
  const child = 'p-child';
  it('lets the person, a parent, the district and a coordinator of their school read it', () => {
    const self: Actor = {
      subject: child,
      kind: 'person',
      roles: [{ role: 'student', organisationId: schoolA }],
    };
    expect(mayReadAccessLog(self, child, [schoolA])).to.equal(true);
    expect(mayReadAccessLog(parent, child, [schoolA])).to.equal(true);
    expect(mayReadAccessLog(admin, child, [schoolA])).to.equal(true);
    expect(mayReadAccessLog(coordinator, child, [schoolA])).to.equal(true);
  });
  it('refuses a teacher, a coordinator of another school and a machine client with the same subject', () => {
    expect(mayReadAccessLog(coordinator, child, [schoolB]), 'only a teacher at school B').to.equal(false);
    expect(mayReadAccessLog(parent, 'p-other-child', [schoolA])).to.equal(false);
    const impostor: Actor = { subject: child, kind: 'client', roles: [] };
    expect(mayReadAccessLog(impostor, child, [])).to.equal(false);
  });
});
