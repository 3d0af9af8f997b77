import http from 'node:http';
import { createServiceClient, serviceEventVerifier, ServiceEventError } from './index.js';

/*
 * A DSK instance in 60 lines: it receives the service's events, verifies each one, and tells the
 * service where to send them. Against `npm run dev` (the dev stack prints a DSK token):
 *
 *   SERVICE_URL=http://localhost:3000 DSK_TOKEN=<token> PORT=4000 node clients/dsk-node/dist/example.js
 *
 * Environment: SERVICE_URL, DSK_TOKEN (a bearer token for the instance), PORT (0 = any free port),
 * EVENTS_HOST (how the service reaches this process; default 127.0.0.1), SERVICE_JWT_ISSUER and
 * SERVICE_JWT_AUDIENCE when the service does not use the defaults. One JSON line per event on stdout.
 */
const serviceUrl = process.env.SERVICE_URL ?? 'http://localhost:3000';
const token = process.env.DSK_TOKEN;
if (!token) {
  process.stderr.write('DSK_TOKEN is required (a bearer token for your instance)\n');
  process.exit(2);
}

const verify = serviceEventVerifier({
  serviceUrl,
  ...(process.env.SERVICE_JWT_ISSUER ? { issuer: process.env.SERVICE_JWT_ISSUER } : {}),
  ...(process.env.SERVICE_JWT_AUDIENCE ? { audience: process.env.SERVICE_JWT_AUDIENCE } : {}),
});
const seen = new Set<string>();

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    verify({ headers: req.headers, body: Buffer.concat(chunks) }).then(
      ({ event, idempotencyKey }) => {
        // Idempotent like the contract asks: a repeated key is acknowledged, not processed again.
        if (!seen.has(idempotencyKey)) {
          seen.add(idempotencyKey);
          process.stdout.write(`${JSON.stringify({ received: event.type, id: event.id, instance_id: event.instance_id })}\n`);
        }
        res.writeHead(204).end();
      },
      (err: unknown) => {
        process.stdout.write(`${JSON.stringify({ refused: err instanceof ServiceEventError ? err.code : 'error' })}\n`);
        res.writeHead(err instanceof ServiceEventError ? 401 : 500).end();
      },
    );
  });
});

server.listen(Number(process.env.PORT ?? 4000), () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const eventsUrl = `http://${process.env.EVENTS_HOST ?? '127.0.0.1'}:${port}/events`;
  const client = createServiceClient({ baseUrl: serviceUrl, token });
  void (async () => {
    const { data, error } = await client.PUT('/v1/instance', { body: { events_url: eventsUrl } });
    if (error) throw new Error(`PUT /v1/instance answered ${error.error.code}: ${error.error.message}`);
    const channels = await client.GET('/v1/channels');
    process.stdout.write(`${JSON.stringify({ listening: eventsUrl, instance: data.id, channels: channels.data?.channels.length ?? 0 })}\n`);
  })().catch((err: unknown) => {
    process.stderr.write(`${(err as Error).message}\n`);
    process.exit(1);
  });
});
