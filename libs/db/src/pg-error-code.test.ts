import { expect } from 'chai';
import { pgErrorCode } from './pg-error-code';

describe('pgErrorCode', () => {
  it('reads the SQLSTATE of a driver error', () => {
    expect(pgErrorCode(Object.assign(new Error('duplicate key'), { code: '23505' }))).to.equal('23505');
  });

  it('digs through the cause chain drizzle wraps errors in', () => {
    const driver = Object.assign(new Error('duplicate key'), { code: '23505' });
    const wrapped = new Error('Failed query: insert …', { cause: driver });
    expect(pgErrorCode(new Error('outer', { cause: wrapped }))).to.equal('23505');
  });

  it('ignores system error codes and non-errors', () => {
    expect(pgErrorCode(Object.assign(new Error('broken pipe'), { code: 'EPIPE' }))).to.equal(undefined);
    expect(pgErrorCode(Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }))).to.equal(undefined);
    expect(pgErrorCode('23505')).to.equal(undefined);
    expect(pgErrorCode(undefined)).to.equal(undefined);
  });

  it('stops on a cyclic cause chain', () => {
    const a: { cause?: unknown } = {};
    a.cause = a;
    expect(pgErrorCode(a)).to.equal(undefined);
  });
});
