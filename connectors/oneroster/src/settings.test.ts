import { expect } from 'chai';
import { connectionMode, normaliseBaseUrl, oneRosterSettingsSchema } from './settings';

describe('OneRoster settings', () => {
  it('picks CSV-only, REST or names what is missing', () => {
    expect(connectionMode({}, {})).to.deep.equal({ kind: 'csv' });
    expect(
      connectionMode({ baseUrl: 'https://sis.example.org/' }, { clientId: 'a', clientSecret: 'b' }),
    ).to.deep.equal({
      kind: 'rest',
      rest: {
        baseUrl: 'https://sis.example.org',
        tokenUrl: 'https://sis.example.org/token',
        clientId: 'a',
        clientSecret: 'b',
      },
    });
    const invalid = connectionMode({ baseUrl: 'https://sis.example.org' }, {});
    expect(invalid).to.deep.equal({
      kind: 'invalid',
      problem:
        'OneRoster REST (baseUrl is set) needs the OAuth 2.0 client credentials: clientId and clientSecret missing',
    });
    expect(connectionMode({ tokenUrl: 'https://idp.example.org/token' }, {}).kind).to.equal('invalid');
  });

  it('accepts a pasted endpoint URL as the base', () => {
    expect(normaliseBaseUrl('https://sis.example.org/api/ims/oneroster/rostering/v1p2/')).to.equal(
      'https://sis.example.org/api',
    );
    expect(normaliseBaseUrl('https://sis.example.org//')).to.equal('https://sis.example.org');
  });

  it('settings are http(s) URLs and a sane page size', () => {
    expect(oneRosterSettingsSchema.safeParse({ baseUrl: 'ftp://x.org' }).success).to.equal(false);
    expect(oneRosterSettingsSchema.safeParse({ pageSize: 0 }).success).to.equal(false);
    expect(oneRosterSettingsSchema.safeParse({ baseUrl: 'https://x.org', pageSize: 200 }).success).to.equal(
      true,
    );
  });
});
