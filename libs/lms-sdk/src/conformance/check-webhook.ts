import { AssertionError } from 'chai';
import type { Capability, ConnectorDefinition, LmsSession, WebhookOutcome } from '../connector';
import { ConnectorError } from '../errors';
import type { WebhookSample } from './conformance-options';

function checkWebhookOutcome(definition: ConnectorDefinition, outcome: WebhookOutcome, what: string): void {
  if (!outcome || !Array.isArray(outcome.sync))
    throw new AssertionError(`${what}: must resolve with { sync: Capability[] }`);
  for (const c of outcome.sync) {
    if (!definition.capabilities.includes(c) || !c.endsWith('.pull')) {
      throw new AssertionError(`${what}: asks to sync ${c}, which is not a declared pull capability`);
    }
  }
}

/** A body as the bytes of its JSON (a string is sent as it is). */
const jsonBytes = (body: unknown): Uint8Array =>
  Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? null), 'utf8');

/**
 * The webhook rule: a sample call resolves with a `sync` list of declared pull
 * capabilities (equal to `expectSync` when given); a malformed, unsigned call
 * resolves the same way or rejects with a ConnectorError, never a plain error.
 */
export async function checkWebhook(
  definition: ConnectorDefinition,
  session: LmsSession,
  sample?: WebhookSample,
): Promise<void> {
  if (!session.handleWebhook) throw new AssertionError('the session has no handleWebhook()');
  if (sample) {
    const outcome = await session.handleWebhook(
      sample.body,
      sample.headers,
      sample.rawBody ?? jsonBytes(sample.body),
    );
    checkWebhookOutcome(definition, outcome, 'the sample webhook');
    if (sample.expectSync) {
      const got = [...outcome.sync].sort();
      const want = [...sample.expectSync].sort() as Capability[];
      if (got.join() !== want.join()) {
        throw new AssertionError(
          `the sample webhook asked to sync [${got.join(', ')}], expected [${want.join(', ')}]`,
        );
      }
    }
  }
  for (const body of [{}, null, 'garbage']) {
    let outcome: WebhookOutcome;
    try {
      outcome = await session.handleWebhook(body, {}, jsonBytes(body));
    } catch (error) {
      if (error instanceof ConnectorError) continue;
      throw new AssertionError(
        `a malformed webhook (${JSON.stringify(body)}) must reject with a ConnectorError, got ${String(error)}`,
      );
    }
    checkWebhookOutcome(definition, outcome, `a malformed webhook (${JSON.stringify(body)})`);
  }
}
