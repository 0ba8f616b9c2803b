import type { IncomingMessage } from 'node:http';

/** express's compiled `trust proxy`: may the peer `address`, `hop` steps from the gateway, set X-Forwarded-*? */
export type TrustProxy = (address: string, hop: number) => boolean;

function firstOf(value: string): string {
  const comma = value.indexOf(',');
  return (comma >= 0 ? value.slice(0, comma) : value).trim();
}

function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * The client's address as express's `req.ip` computes it (proxy-addr): walk
 * X-Forwarded-For from the nearest hop outwards while the hop is trusted.
 */
export function clientAddress(req: IncomingMessage, trust: TrustProxy): string {
  const peer = req.socket.remoteAddress ?? '';
  const forwardedFor = headerText(req.headers['x-forwarded-for']);
  if (!forwardedFor || !trust(peer, 0)) return peer;
  const hops = forwardedFor.split(',');
  let address = peer;
  let hop = 0;
  for (let i = hops.length - 1; i >= 0; i--) {
    const next = hops[i]!.trim();
    if (next === '') continue; // proxy-addr skips empty entries too
    address = next;
    hop += 1;
    if (!trust(address, hop)) break;
  }
  return address;
}

/** `http` or `https` as the client used it: X-Forwarded-Proto from a trusted peer, else the socket's (express's `req.protocol`). */
export function forwardedProto(req: IncomingMessage, trust: TrustProxy): string {
  const own = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  const header = headerText(req.headers['x-forwarded-proto']);
  if (!header || !trust(req.socket.remoteAddress ?? '', 0)) return own;
  return firstOf(header);
}

/** The host the client asked for: X-Forwarded-Host from a trusted peer, else Host (express's `req.host`). */
export function forwardedHost(req: IncomingMessage, trust: TrustProxy): string | undefined {
  const header = headerText(req.headers['x-forwarded-host']);
  if (header && trust(req.socket.remoteAddress ?? '', 0)) return firstOf(header) || undefined;
  return req.headers.host || undefined;
}
