import type { Request, Response } from 'express';
import { PreconditionFailedError } from './errors';

/** The weak ETag of a versioned resource. */
export function etagOf(version: number): string {
  return `W/"${version}"`;
}

/** Sets the ETag header of a versioned resource. */
export function setEtag(res: Response, version: number): void {
  res.setHeader('ETag', etagOf(version));
}

/**
 * Optimistic concurrency: when the request carries If-Match, it must name the
 * current version (or `*`), else 412. Without If-Match the update goes ahead.
 */
export function checkIfMatch(req: Request, currentVersion: number): void {
  const header = req.get('if-match');
  if (header === undefined) return;
  const tags = header.split(',').map((t) => t.trim());
  if (tags.includes('*')) return;
  const current = etagOf(currentVersion);
  const strip = (t: string) => t.replace(/^W\//, '');
  if (!tags.some((t) => strip(t) === strip(current))) throw new PreconditionFailedError();
}
