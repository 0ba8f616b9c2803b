import { expect } from 'chai';
import { sampleMoodleSeed, sampleTokens } from '../test-double/index';
import { type Connected, callsOf, collect, connect, signal } from './helpers';

describe('pullGrades', () => {
  let c: Connected;
  afterEach(() => c.double.close());

  it('delivers grade items as line items and grades as results, with course completion', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const { records, rejected } = await collect(c.session.pullGrades!({ signal: signal() }));
    expect(rejected.lineItems).to.deep.equal([]);
    expect(records.lineItems).to.have.length(15);
    expect(records.lineItems![0]).to.deep.equal({
      sourcedId: '1',
      status: 'active',
      title: 'Контрольная работа №1',
      description: 'assign',
      classSourcedId: '2',
      resultValueMin: 0,
      resultValueMax: 10,
    });
    expect(records.lineItems!.find((l) => l.sourcedId === '3')).to.include({
      title: 'Course total',
      resultValueMax: 30,
    });

    const results = records.results!;
    // Student 100 in course 2: test 5/10 with feedback, quiz 8/20, total 13, completed.
    expect(results.find((r) => r.sourcedId === '1:100')).to.deep.include({
      lineItemSourcedId: '1',
      studentSourcedId: '100',
      score: 5,
      scoreStatus: 'fully graded',
      comment: 'Хорошо, но проверьте задачу 3.',
    });
    expect(results.find((r) => r.sourcedId === '3:100')).to.deep.include({ score: 13, completed: true });
    expect(results.find((r) => r.sourcedId === '3:101')).to.deep.include({ completed: false });
    // The fifth student of course 2 (104) has no grade for the test: no result for it.
    expect(results.some((r) => r.sourcedId === '1:104')).to.equal(false);
    expect(results.find((r) => r.sourcedId === '2:104')).to.deep.include({ score: 8 + ((4 * 3) % 13) });
  });

  it('leaves completion out where the course does not track it, and asks no more there', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.full);
    const { records } = await collect(c.session.pullGrades!({ signal: signal() }));
    const olympiadTotal = records.results!.filter((r) => r.lineItemSourcedId === '15');
    expect(olympiadTotal.length).to.be.greaterThan(0);
    expect(olympiadTotal.every((r) => !('completed' in r))).to.equal(true);
    const completionCalls = callsOf(c.double, 'core_completion_get_course_completion_status');
    // Only the calls already in flight (4 at a time) when the first refusal came.
    expect(
      completionCalls.filter((x) => (x.params as { courseid: string }).courseid === '6'),
    ).to.have.length.within(1, 4);
  });

  it('works without the completion function: grades only, one warning', async () => {
    c = await connect(sampleMoodleSeed(), sampleTokens.requiredOnly);
    const { records } = await collect(c.session.pullGrades!({ signal: signal() }));
    expect(records.results!.find((r) => r.sourcedId === '3:100')).to.deep.include({ score: 13 });
    expect(records.results!.every((r) => !('completed' in r))).to.equal(true);
    expect(c.logs.filter((l) => l.level === 'warn')).to.have.length(1);
    // Refused once per call in flight (4 at a time), then never asked again.
    expect(callsOf(c.double, 'core_completion_get_course_completion_status')).to.have.length.within(1, 4);
  });
});
