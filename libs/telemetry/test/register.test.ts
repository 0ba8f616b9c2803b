import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
}
interface OtlpExport {
  resourceSpans: {
    resource: { attributes: { key: string; value: { stringValue?: string } }[] };
    scopeSpans: { scope: { name: string }; spans: OtlpSpan[] }[];
  }[];
}

const packageDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs the fixture app under the register hook, exporting OTLP/HTTP JSON to a local receiver. */
async function runFixture(
  env: Record<string, string>,
): Promise<{ exports: OtlpExport[]; code: number | null; stderr: string }> {
  const exports: OtlpExport[] = [];
  const receiver: Server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => {
      body += chunk;
    });
    req.on('end', () => {
      if (req.url === '/v1/traces') exports.push(JSON.parse(body) as OtlpExport);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { port } = receiver.address() as AddressInfo;
  try {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', '@mathnet/telemetry/register', 'test/fixtures/express-app.ts'],
      {
        cwd: packageDir,
        env: {
          PATH: process.env.PATH ?? '',
          OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
          OTEL_SERVICE_NAME: 'telemetry-fixture',
          ...env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    return { exports, code, stderr };
  } finally {
    receiver.close();
  }
}

describe('--import @mathnet/telemetry/register', () => {
  it('instruments an ESM express app under tsx and exports over OTLP/HTTP', async () => {
    const { exports, code, stderr } = await runFixture({});
    expect(code, stderr).to.equal(0);
    const resource = exports[0]?.resourceSpans[0]?.resource.attributes ?? [];
    expect(resource.find((a) => a.key === 'service.name')?.value.stringValue).to.equal('telemetry-fixture');
    const scopes = exports.flatMap((e) => e.resourceSpans.flatMap((r) => r.scopeSpans));
    const spansOf = (scope: string) => scopes.filter((s) => s.scope.name === scope).flatMap((s) => s.spans);
    const httpSpans = spansOf('@opentelemetry/instrumentation-http');
    const client = httpSpans.find((s) => s.kind === 3);
    const incoming = httpSpans.find((s) => s.kind === 2);
    expect(client, 'client span').to.not.equal(undefined);
    expect(incoming?.traceId).to.equal(client?.traceId);
    expect(incoming?.parentSpanId).to.equal(client?.spanId);
    // Express spans exist only if the ESM hook was registered before express was imported.
    const expressSpans = spansOf('@opentelemetry/instrumentation-express');
    expect(expressSpans.map((s) => s.name)).to.include('request handler');
    expect(expressSpans.every((s) => s.traceId === incoming?.traceId)).to.equal(true);
  });

  it('does nothing with OTEL_SDK_DISABLED=true', async () => {
    const { exports, code, stderr } = await runFixture({ OTEL_SDK_DISABLED: 'true' });
    expect(code, stderr).to.equal(0);
    expect(exports).to.deep.equal([]);
  });
});
