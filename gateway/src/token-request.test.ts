import { expect } from 'chai';
import { parseTokenRequest } from './token-request';

const form = 'application/x-www-form-urlencoded';

describe('parseTokenRequest', () => {
  it('keys a password grant on the username, trimmed and case-folded, hashed', () => {
    const a = parseTokenRequest(
      Buffer.from('grant_type=password&username=Ada%40X.org&password=p'),
      form,
      undefined,
    );
    const b = parseTokenRequest(
      Buffer.from('{"username":" ada@x.org ","password":"q"}'),
      'application/json',
      undefined,
    );
    expect(a.accountKey).to.match(/^user:[A-Za-z0-9_-]{43}$/);
    expect(a.accountKey).to.equal(b.accountKey);
    expect(a.accountKey).to.not.contain('ada');
  });

  it('keys a client_credentials grant on client_id, from the body or HTTP Basic', () => {
    const body = parseTokenRequest(
      Buffer.from('grant_type=client_credentials&client_id=lms-1'),
      form,
      undefined,
    );
    const basic = parseTokenRequest(
      Buffer.from('grant_type=client_credentials'),
      form,
      `Basic ${Buffer.from('lms-1:secret').toString('base64')}`,
    );
    expect(body.accountKey).to.match(/^client:/);
    expect(basic.accountKey).to.equal(body.accountKey);
  });

  it('names no account for a refresh_token grant or another media type', () => {
    expect(
      parseTokenRequest(Buffer.from('grant_type=refresh_token&refresh_token=x'), form, undefined).accountKey,
    ).to.equal(undefined);
    const other = parseTokenRequest(Buffer.from('username=a'), 'text/plain', undefined);
    expect(other.accountKey).to.equal(undefined);
    expect(other.body.toString()).to.equal('username=a');
  });

  it('forwards exactly what it counted: the first of repeated form fields, JSON re-encoded', () => {
    const repeated = parseTokenRequest(
      Buffer.from('username=a&username=b&password=p+q'),
      `${form}; charset=utf-8`,
      undefined,
    );
    expect(repeated.body.toString()).to.equal('username=a&password=p+q');
    const json = parseTokenRequest(
      Buffer.from('{ "username": "a",\n "username": "b" }'),
      'application/json',
      undefined,
    );
    expect(json.body.toString()).to.equal('{"username":"b"}');
    expect(json.accountKey).to.equal(
      parseTokenRequest(Buffer.from('username=b'), form, undefined).accountKey,
    );
  });

  it('refuses JSON that does not parse with a 400', () => {
    expect(() => parseTokenRequest(Buffer.from('{"username":'), 'application/json', undefined))
      .to.throw('The body is not valid JSON')
      .with.property('status', 400);
  });
});
