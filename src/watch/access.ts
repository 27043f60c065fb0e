/**
 * Who may connect: loopback peers are trusted as viewers; a configured token admits anyone else.
 * Publishers need the token whenever one is configured, and without one must be on loopback.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const a = address.startsWith('::ffff:') ? address.slice(7) : address;
  return a === '::1' || a.startsWith('127.');
}

/** The token a request presents: `?token=` in the URL, `Authorization: Bearer ...`, or `X-Tengen-Token`. */
export function presentedToken(req: IncomingMessage, url: URL): string | null {
  const q = url.searchParams.get('token');
  if (q !== null) return q;
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m !== null) return m[1]!;
  }
  const header = req.headers['x-tengen-token'];
  return typeof header === 'string' ? header : null;
}

/** Constant-time comparison (hashing first makes the lengths equal). */
export function tokenMatches(presented: string | null, expected: string): boolean {
  if (presented === null) return false;
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export type Role = 'viewer' | 'publisher';

/** null when admitted, else the reason for refusing. */
export function refusal(role: Role, req: IncomingMessage, url: URL, token: string | null): string | null {
  const loopback = isLoopbackAddress(req.socket.remoteAddress);
  if (role === 'viewer') {
    if (loopback || token === null) return null;
    return tokenMatches(presentedToken(req, url), token) ? null : 'a valid token is required';
  }
  // Browsers always send Origin; publishers are programs. Refusing browsers stops a web page the user
  // visits from injecting games into a loopback server.
  if (req.headers.origin !== undefined) return 'publishers may not connect from a browser';
  if (token === null) return loopback ? null : 'publishers must connect from loopback unless the server has a token';
  return tokenMatches(presentedToken(req, url), token) ? null : 'a valid token is required';
}
