import {
  AuthFailedError,
  ConnectorError,
  LmsNotFoundError,
  LmsUnavailableError,
  RateLimitedError,
} from '@mathnet/lms-sdk';
import { expect } from 'chai';
import { MoodleClient, moodleExceptionOf } from '../src/index';
import {
  type RunningMoodleDouble,
  sampleMoodleSeed,
  sampleTokens,
  startMoodleDouble,
} from '../test-double/index';
import { signal } from './helpers';

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('MoodleClient against the double', () => {
  let double: RunningMoodleDouble;
  let client: MoodleClient;

  beforeEach(async () => {
    double = await startMoodleDouble(sampleMoodleSeed());
    client = new MoodleClient({ baseUrl: double.url, token: sampleTokens.full });
  });
  afterEach(() => double.close());

  it('posts to webservice/rest/server.php and decodes the JSON answer', async () => {
    const info = await client.call<{ sitename: string; username: string }>(
      'core_webservice_get_site_info',
      {},
      signal(),
    );
    expect(info.sitename).to.equal('МБОУ «Школа №1»: дистанционное обучение');
    expect(info.username).to.equal('admin');
    expect(client.endpoint).to.equal(`${double.url}/webservice/rest/server.php`);
  });

  it('sends nested parameters in PHP array form (the double decodes them like PHP)', async () => {
    const courses = await client.call<{ id: number }[]>(
      'core_course_get_courses',
      { options: { ids: [3, 5] } },
      signal(),
    );
    expect(courses.map((c) => c.id)).to.deep.equal([3, 5]);
    expect(double.state.calls.at(-1)?.params).to.deep.equal({ options: { ids: { 0: '3', 1: '5' } } });
  });

  it('an invalid token: Moodle answers HTTP 200 with an exception body, the client throws AuthFailedError', async () => {
    const raw = await fetch(`${double.url}/webservice/rest/server.php`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        wstoken: 'nope',
        wsfunction: 'core_webservice_get_site_info',
        moodlewsrestformat: 'json',
      }),
    });
    expect(raw.status).to.equal(200);
    expect(await raw.json()).to.deep.equal({
      exception: 'moodle_exception',
      errorcode: 'invalidtoken',
      message: 'Invalid token - token not found',
    });

    const bad = new MoodleClient({ baseUrl: double.url, token: 'nope-nope-nope' });
    const error = await rejection(bad.call('core_webservice_get_site_info', {}, signal()));
    expect(error).to.be.instanceOf(AuthFailedError);
    expect(error.message).to.contain('Invalid token - token not found');
    expect(moodleExceptionOf(error)?.errorcode).to.equal('invalidtoken');
  });

  it('a function the token may not call: webservice_access_exception → AuthFailedError', async () => {
    const readOnly = new MoodleClient({ baseUrl: double.url, token: sampleTokens.readOnly });
    const error = await rejection(
      readOnly.call(
        'enrol_manual_enrol_users',
        { enrolments: [{ roleid: 5, userid: 100, courseid: 3 }] },
        signal(),
      ),
    );
    expect(error).to.be.instanceOf(AuthFailedError);
    expect(moodleExceptionOf(error)).to.include({
      exception: 'webservice_access_exception',
      errorcode: 'accessexception',
    });
    expect(double.state.enrolments.some((e) => e.courseid === 3 && e.userid === 100)).to.equal(false);
  });

  it('missing or malformed parameters: invalid_parameter_exception → ConnectorError with the Moodle message', async () => {
    const missing = await rejection(client.call('core_enrol_get_enrolled_users', {}, signal()));
    expect(missing).to.be.instanceOf(ConnectorError);
    expect((missing as ConnectorError).code).to.equal('invalid_data');
    expect(missing.message).to.contain('Invalid parameter value detected');
    expect(moodleExceptionOf(missing)).to.include({
      exception: 'invalid_parameter_exception',
      errorcode: 'invalidparameter',
    });

    double.state.debugging = true;
    const malformed = await rejection(
      client.call('core_enrol_get_enrolled_users', { courseid: 'abc' }, signal()),
    );
    expect(malformed.message).to.contain('the value is "abc", the server was expecting "int" type');
  });

  it('an unknown course: dml_missing_record_exception → LmsNotFoundError', async () => {
    const error = await rejection(client.call('core_enrol_get_enrolled_users', { courseid: 999 }, signal()));
    expect(error).to.be.instanceOf(LmsNotFoundError);
    expect(error.message).to.contain("Can't find data record in database table course.");
  });

  it('a disabled service: servicenotavailable → LmsUnavailableError', async () => {
    double.state.tokens[0]!.serviceEnabled = false;
    const error = await rejection(client.call('core_webservice_get_site_info', {}, signal()));
    expect(error).to.be.instanceOf(LmsUnavailableError);
    expect(moodleExceptionOf(error)?.errorcode).to.equal('servicenotavailable');
  });

  it('HTTP 503 (down) → LmsUnavailableError; HTTP 429 → RateLimitedError with retry-after', async () => {
    double.state.mode = 'down';
    expect(await rejection(client.call('core_webservice_get_site_info', {}, signal()))).to.be.instanceOf(
      LmsUnavailableError,
    );
    double.state.mode = 'ratelimited';
    const limited = await rejection(client.call('core_webservice_get_site_info', {}, signal()));
    expect(limited).to.be.instanceOf(RateLimitedError);
    expect((limited as RateLimitedError).retryAfterMs).to.equal(1000);
  });

  it('nothing listening → LmsUnavailableError; a wrong site path → LmsNotFoundError', async () => {
    const url = double.url;
    const wrongPath = new MoodleClient({ baseUrl: `${url}/not-moodle`, token: sampleTokens.full });
    expect(await rejection(wrongPath.call('core_webservice_get_site_info', {}, signal()))).to.be.instanceOf(
      LmsNotFoundError,
    );
    await double.close();
    const gone = new MoodleClient({ baseUrl: url, token: sampleTokens.full });
    expect(await rejection(gone.call('core_webservice_get_site_info', {}, signal()))).to.be.instanceOf(
      LmsUnavailableError,
    );
    double = await startMoodleDouble(sampleMoodleSeed()); // for afterEach
  });

  it('honours the AbortSignal: rejects with the abort, not a connector error', async () => {
    const controller = new AbortController();
    controller.abort();
    const before = await rejection(client.call('core_webservice_get_site_info', {}, controller.signal));
    expect(before.name).to.equal('AbortError');

    const inFlight = new AbortController();
    const pending = client.call('core_course_get_courses', {}, inFlight.signal);
    inFlight.abort();
    const during = await rejection(pending);
    expect(during.name).to.equal('AbortError');
    expect(during).not.to.be.instanceOf(ConnectorError);
  });

  it('a site that times out → LmsUnavailableError', async () => {
    const slow = new MoodleClient({
      baseUrl: double.url,
      token: sampleTokens.full,
      timeoutMs: 20,
      fetch: (_input, init) =>
        new Promise((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
    });
    const error = await rejection(slow.call('core_webservice_get_site_info', {}, signal()));
    expect(error).to.be.instanceOf(LmsUnavailableError);
    expect(error.message).to.contain('within 20 ms');
  });
});

describe('the Moodle double on the wire', () => {
  let double: RunningMoodleDouble;
  const post = (body: Record<string, string>, path = '/webservice/rest/server.php') =>
    fetch(`${double.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(body),
    });

  beforeEach(async () => {
    double = await startMoodleDouble(sampleMoodleSeed(), { basePath: '/moodle' });
  });
  afterEach(() => double.close());

  it('lives under the site path and answers GET with query parameters too', async () => {
    expect(double.url).to.match(/\/moodle$/);
    const query = new URLSearchParams({
      wstoken: sampleTokens.full,
      wsfunction: 'core_course_get_courses_by_field',
      moodlewsrestformat: 'json',
      field: 'category',
      value: '2',
    });
    const res = await fetch(`${double.url}/webservice/rest/server.php?${query}`);
    const body = (await res.json()) as { courses: { id: number }[] };
    expect(body.courses.map((c) => c.id)).to.deep.equal([2, 3, 6]);
  });

  it('answers XML when moodlewsrestformat is not json, as Moodle does', async () => {
    const res = await post({ wstoken: 'bad', wsfunction: 'core_webservice_get_site_info' });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('application/xml');
    const text = await res.text();
    expect(text).to.contain('<EXCEPTION class="moodle_exception">');
    expect(text).to.contain('<ERRORCODE>invalidtoken</ERRORCODE>');
  });

  it('only serves server.php with GET or POST', async () => {
    expect((await post({}, '/webservice/rest/other.php')).status).to.equal(404);
    const put = await fetch(`${double.url}/webservice/rest/server.php`, { method: 'PUT' });
    expect(put.status).to.equal(405);
  });

  it('an unknown function is a missing external_functions record', async () => {
    const res = await post({
      wstoken: sampleTokens.full,
      wsfunction: 'core_no_such_thing',
      moodlewsrestformat: 'json',
    });
    expect(await res.json()).to.deep.equal({
      exception: 'dml_missing_record_exception',
      errorcode: 'invalidrecord',
      message: "Can't find data record in database table external_functions.",
    });
  });

  it('enrol_manual_enrol_users returns null, enrols, and is all-or-nothing', async () => {
    const ok = await post({
      wstoken: sampleTokens.full,
      wsfunction: 'enrol_manual_enrol_users',
      moodlewsrestformat: 'json',
      'enrolments[0][roleid]': '5',
      'enrolments[0][userid]': '100',
      'enrolments[0][courseid]': '4',
    });
    expect(await ok.text()).to.equal('null');
    expect(double.state.enrolments.find((e) => e.courseid === 4 && e.userid === 100)?.roleids).to.deep.equal([
      5,
    ]);

    const mixed = await post({
      wstoken: sampleTokens.full,
      wsfunction: 'enrol_manual_enrol_users',
      moodlewsrestformat: 'json',
      'enrolments[0][roleid]': '5',
      'enrolments[0][userid]': '101',
      'enrolments[0][courseid]': '4',
      'enrolments[1][roleid]': '5',
      'enrolments[1][userid]': '99999',
      'enrolments[1][courseid]': '4',
    });
    expect(((await mixed.json()) as { errorcode: string }).errorcode).to.equal('codingerror');
    expect(double.state.enrolments.some((e) => e.courseid === 4 && e.userid === 101)).to.equal(false);
  });

  it('caps limitnumber like a server setting', async () => {
    double.state.maxLimitNumber = 5;
    const res = await post({
      wstoken: sampleTokens.full,
      wsfunction: 'core_enrol_get_enrolled_users',
      moodlewsrestformat: 'json',
      courseid: '2',
      'options[0][name]': 'limitnumber',
      'options[0][value]': '200',
    });
    const users = (await res.json()) as {
      id: number;
      roles: { roleid: number; name: string; shortname: string }[];
    }[];
    expect(users).to.have.length(5);
    expect(users[0]!.roles[0]).to.include({ roleid: 3, name: '', shortname: 'editingteacher' });
  });
});
