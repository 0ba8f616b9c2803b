import { createHash } from 'node:crypto';
import { InputError } from '@mathnet/kit';

/** A token request as the gateway forwards it, and the account it tries to sign in to. */
export interface TokenRequest {
  /** The body to forward: re-encoded from what the gateway parsed, so the registry reads exactly that. */
  body: Buffer;
  /**
   * Rate-limit key of the account (`username`, else `client_id` from the body or
   * HTTP Basic credentials), hashed so no e-mail address lands in the counter store;
   * undefined when the request names none (e.g. a refresh_token grant).
   */
  accountKey?: string;
}

function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';', 1)[0]!.trim().toLowerCase();
}

function isJson(mediaType: string): boolean {
  return (
    mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'))
  );
}

function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

/** client_id of `Authorization: Basic` (RFC 6749 §2.3.1: form-encoded, then base64). */
function basicClientId(authorization: string | undefined): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  const id = colon >= 0 ? decoded.slice(0, colon) : decoded;
  try {
    return nonEmptyString(decodeURIComponent(id.replace(/\+/g, ' ')));
  } catch {
    return nonEmptyString(id);
  }
}

function accountKeyOf(
  fields: Record<string, unknown>,
  authorization: string | undefined,
): string | undefined {
  const username = nonEmptyString(fields.username);
  const clientId = username ? undefined : (nonEmptyString(fields.client_id) ?? basicClientId(authorization));
  const account = username ?? clientId;
  if (!account) return undefined;
  // The registry compares e-mail addresses trimmed and lower-cased; the counter must not tell variants apart either.
  const normalised = account.normalize('NFKC').trim().toLowerCase();
  const digest = createHash('sha256').update(normalised).digest('base64url');
  return `${username ? 'user' : 'client'}:${digest}`;
}

/**
 * Parses a token endpoint body (JSON or form) and re-encodes it in the same media
 * type. Other media types are forwarded untouched (the registry answers 415) and
 * name no account. A body that does not parse is refused here with a 400.
 */
export function parseTokenRequest(
  raw: Buffer,
  contentType: string | undefined,
  authorization: string | undefined,
): TokenRequest {
  const mediaType = mediaTypeOf(contentType);
  if (isJson(mediaType)) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw.toString('utf8'));
    } catch (error) {
      throw new InputError(
        `The body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    const fields: Record<string, unknown> =
      parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : {};
    return { body: Buffer.from(JSON.stringify(parsed)), accountKey: accountKeyOf(fields, authorization) };
  }
  if (mediaType === 'application/x-www-form-urlencoded') {
    const fields = new Map<string, string>();
    // The first value of a repeated field wins, and only it is forwarded: the registry sees what was counted.
    for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) {
      if (!fields.has(name)) fields.set(name, value);
    }
    return {
      body: Buffer.from(new URLSearchParams([...fields]).toString()),
      accountKey: accountKeyOf(Object.fromEntries(fields), authorization),
    };
  }
  return { body: raw };
}
