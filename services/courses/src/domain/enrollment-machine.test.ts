import { ConflictError } from '@mathnet/kit';
import { expect } from 'chai';
import { assertTransition, isMinor } from './enrollment-machine';

describe('enrollment state machine', () => {
  it('allows the documented path', () => {
    expect(() => assertTransition('consent', 'requested', true)).to.not.throw();
    expect(() => assertTransition('approve', 'consented', true)).to.not.throw();
    expect(() => assertTransition('approve', 'requested', false)).to.not.throw();
    expect(() => assertTransition('accept', 'approved', false)).to.not.throw();
    expect(() => assertTransition('complete', 'enrolled', false)).to.not.throw();
    expect(() => assertTransition('withdraw', 'waitlisted', false)).to.not.throw();
  });
  it('refuses illegal transitions with a 409 naming the current status', () => {
    const cases: [Parameters<typeof assertTransition>[0], Parameters<typeof assertTransition>[1], boolean][] =
      [
        ['complete', 'withdrawn', false],
        ['accept', 'enrolled', false],
        ['accept', 'waitlisted', false],
        ['approve', 'requested', true],
        ['consent', 'requested', false],
        ['withdraw', 'completed', false],
        ['reject', 'enrolled', false],
      ];
    for (const [action, status, consent] of cases) {
      expect(() => assertTransition(action, status, consent), `${action} ${status}`).to.throw(ConflictError);
    }
  });
  it('knows minors by birth date, and asks consent when it is unknown', () => {
    const on = new Date('2026-12-04T00:00:00Z');
    expect(isMinor('2009-05-01', on)).to.equal(true);
    expect(isMinor('2008-12-04', on)).to.equal(false);
    expect(isMinor('2008-12-05', on)).to.equal(true);
    expect(isMinor(null, on)).to.equal(true);
  });
});
