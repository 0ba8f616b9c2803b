import type { IncomingMessage } from 'node:http';
import { expect } from 'chai';
import { clientAddress, forwardedHost, forwardedProto, type TrustProxy } from './client-address';

function request(peer: string, headers: Record<string, string>): IncomingMessage {
  return { socket: { remoteAddress: peer }, headers } as unknown as IncomingMessage;
}

const loopback: TrustProxy = (address) => address === '127.0.0.1' || address === '::1';
const trustAll: TrustProxy = () => true;
const trustNone: TrustProxy = () => false;
const oneHop: TrustProxy = (_address, hop) => hop < 1;

describe('client address (as express reads X-Forwarded-*)', () => {
  it('takes the first untrusted address walking X-Forwarded-For from the nearest hop', () => {
    const xff = { 'x-forwarded-for': '203.0.113.9, 127.0.0.1' };
    expect(clientAddress(request('127.0.0.1', xff), loopback)).to.equal('203.0.113.9');
    expect(clientAddress(request('10.0.0.5', xff), loopback)).to.equal('10.0.0.5');
    expect(clientAddress(request('127.0.0.1', xff), trustNone)).to.equal('127.0.0.1');
    expect(clientAddress(request('127.0.0.1', xff), trustAll)).to.equal('203.0.113.9');
    expect(clientAddress(request('127.0.0.1', { 'x-forwarded-for': 'a, b, c' }), oneHop)).to.equal('c');
    expect(
      clientAddress(request('127.0.0.1', { 'x-forwarded-for': ' 198.51.100.1 ,, ' }), loopback),
    ).to.equal('198.51.100.1');
    expect(clientAddress(request('127.0.0.1', {}), loopback)).to.equal('127.0.0.1');
  });

  it('believes X-Forwarded-Proto and -Host only from a trusted peer', () => {
    const headers = {
      host: 'gateway:8080',
      'x-forwarded-proto': 'https, http',
      'x-forwarded-host': 'school.example, inner',
    };
    expect(forwardedProto(request('127.0.0.1', headers), loopback)).to.equal('https');
    expect(forwardedHost(request('127.0.0.1', headers), loopback)).to.equal('school.example');
    expect(forwardedProto(request('10.0.0.5', headers), loopback)).to.equal('http');
    expect(forwardedHost(request('10.0.0.5', headers), loopback)).to.equal('gateway:8080');
  });
});
