import type { MoodleWsError } from './moodle-ws-error';

/*
 * Moodle's REST server answers XML unless `moodlewsrestformat=json` is sent
 * (webservice_rest_server::xmlize_result / generate_error). The double keeps
 * that so a client that forgets the format sees what Moodle would send.
 */

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function xmlize(value: unknown): string {
  if (value === null || value === undefined) return '<VALUE null="null"/>\n';
  if (Array.isArray(value)) return `<MULTIPLE>\n${value.map(xmlize).join('')}</MULTIPLE>\n`;
  if (typeof value === 'object') {
    const keys = Object.entries(value).map(([k, v]) => `<KEY name="${escapeXml(k)}">${xmlize(v)}</KEY>\n`);
    return `<SINGLE>\n${keys.join('')}</SINGLE>\n`;
  }
  const scalar = typeof value === 'boolean' ? (value ? '1' : '0') : String(value);
  return `<VALUE>${escapeXml(scalar)}</VALUE>\n`;
}

export function xmlResponse(result: unknown): string {
  const body = result === null || result === undefined ? '' : xmlize(result);
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<RESPONSE>\n${body}</RESPONSE>\n`;
}

export function xmlError(ex: MoodleWsError, debugging: boolean): string {
  const debug = debugging && ex.debuginfo ? `<DEBUGINFO>${escapeXml(ex.debuginfo)}</DEBUGINFO>\n` : '';
  return `<?xml version="1.0" encoding="UTF-8" ?>\n<EXCEPTION class="${escapeXml(ex.exception)}">\n<ERRORCODE>${escapeXml(ex.errorcode)}</ERRORCODE>\n<MESSAGE>${escapeXml(ex.message)}</MESSAGE>\n${debug}</EXCEPTION>\n`;
}
