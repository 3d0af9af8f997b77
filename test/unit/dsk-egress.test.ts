import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { decodeJwt } from 'jose';
import { createDskClient, DskDeliveryError, egressPost } from '../../src/dsk/client.js';
import { checkEventsUrl, createEgressPolicy, EgressRefusedError } from '../../src/dsk/egress.js';
import { generateServiceSigningKey } from '../../src/dsk/service-keys.js';

/** A resolver that answers every name with the given addresses, as a rebinding DNS server would. */
function resolverFor(addresses: string[]) {
  return ((_host: string, _options: unknown, callback: (err: null, a: Array<{ address: string; family: number }>) => void) =>
    callback(null, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })))) as unknown as typeof import('node:dns').lookup;
}

describe('egress policy for events URLs', () => {
  const policy = createEgressPolicy([]);

  it('refuses link-local and cloud metadata addresses always, even when allow-listed', () => {
    const listed = createEgressPolicy(['169.254.0.0/16', 'fe80::/10', '100.100.100.200/32']);
    for (const address of ['169.254.169.254', '169.254.0.1', 'fe80::1', 'fd00:ec2::254', '100.100.100.200', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '0.0.0.0', '224.0.0.1', '::']) {
      assert.equal(policy.refusal(address), 'link_local_or_metadata', address);
      assert.equal(listed.refusal(address), 'link_local_or_metadata', `${address} (listed)`);
    }
  });

  it('refuses loopback, private, unique-local and CGNAT addresses unless allow-listed', () => {
    const internal = ['127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '::1', 'fd12::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1'];
    for (const address of internal) assert.equal(policy.refusal(address), 'non_public', address);
    const allowing = createEgressPolicy(['127.0.0.1/32', '10.0.0.0/8', '::1']);
    assert.deepEqual(internal.map((a) => allowing.refusal(a)), [undefined, undefined, 'non_public', 'non_public', 'non_public', undefined, 'non_public', undefined, undefined]);
  });

  it('lets public addresses through', () => {
    for (const address of ['93.184.216.34', '8.8.8.8', '2606:4700::1111', '172.32.0.1']) assert.equal(policy.refusal(address), undefined, address);
  });

  it('refuses a name when any address it resolves to is refused (DNS rebinding gets the same answer at connect time)', async () => {
    const rebinding = createEgressPolicy([], resolverFor(['93.184.216.34', '169.254.169.254']));
    const err = await new Promise<Error | null>((resolve) => rebinding.lookup('dsk.example', { all: true }, (e) => resolve(e)));
    assert.ok(err instanceof EgressRefusedError);
    assert.equal(err.refusal, 'link_local_or_metadata');
    assert.equal(await checkEventsUrl(createEgressPolicy([], resolverFor(['10.0.0.5'])), 'https://internal.example/hook'), 'non_public');
    assert.equal(await checkEventsUrl(createEgressPolicy([], resolverFor(['93.184.216.34'])), 'https://dsk.example/hook'), undefined);
    assert.equal(await checkEventsUrl(policy, 'http://[::ffff:7f00:1]/x'), 'non_public');
    assert.equal(await checkEventsUrl(policy, 'http://2130706433/x'), 'non_public');
  });
});

describe('DSK client through the egress policy', () => {
  async function withServer(run: (url: string, received: () => { headers: http.IncomingHttpHeaders; body: Buffer }[]) => Promise<void>) {
    const seen: { headers: http.IncomingHttpHeaders; body: Buffer }[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        seen.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}/events`, () => seen);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  }

  async function client(allow: string[]) {
    const { key } = await generateServiceSigningKey('ES256', 'svc-1');
    return createDskClient({ signer: key, issuer: 'svc', audience: 'dsk', timeoutMs: 2_000, egress: createEgressPolicy(allow) });
  }

  it('never connects to a refused address, and tells the instance only "network"', async () => {
    await withServer(async (url, received) => {
      const dsk = await client([]);
      const err = await dsk.deliver({ url, instanceId: 'acme', idempotencyKey: 'k1', envelope: {} }).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof DskDeliveryError);
      assert.deepEqual([err.reason, err.publicReason, err.retryable, err.message], ['refused', 'network', true, 'DSK delivery failed: network']);
      assert.equal(received().length, 0);
      const metadata = await dsk.deliver({ url: 'http://169.254.169.254/latest/meta-data/', instanceId: 'acme', idempotencyKey: 'k2', envelope: {} }).then(() => undefined, (e: unknown) => e);
      assert.equal((metadata as DskDeliveryError).publicReason, 'network');
    });
  });

  it('signs a token bound to the exact body and to the instance', async () => {
    await withServer(async (url, received) => {
      const dsk = await client(['127.0.0.1/32']);
      assert.deepEqual(await dsk.deliver({ url, instanceId: 'acme-corp', idempotencyKey: 'k3', envelope: { id: 'k3', text: 'é/' } }), { status: 204 });
      const [request] = received();
      const claims = decodeJwt(String(request!.headers.authorization).replace(/^Bearer /, ''));
      assert.equal(claims.sub, 'acme-corp');
      assert.equal(claims.instance_id, 'acme-corp');
      assert.equal(claims.body_sha256, createHash('sha256').update(request!.body).digest('base64url'));
      assert.equal((claims.exp as number) - (claims.iat as number), 300);
    });
  });

  it('checks the address a name resolves to when connecting (keep-alive pool included), and connects only when it passes', async () => {
    await withServer(async (url, received) => {
      const port = new URL(url).port;
      const refusing = egressPost(createEgressPolicy([], resolverFor(['127.0.0.1'])));
      const err = await refusing(`http://dsk.rebound.example:${port}/events`, {}, Buffer.from('{}'), 2_000).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof EgressRefusedError, String(err));
      assert.equal(received().length, 0);
      const allowing = egressPost(createEgressPolicy(['127.0.0.1/32'], resolverFor(['127.0.0.1'])));
      for (let i = 0; i < 2; i += 1) assert.equal((await allowing(`http://dsk.allowed.example:${port}/events`, {}, Buffer.from('{}'), 2_000)).status, 204);
      assert.equal(received().length, 2);
    });
  });

  it('refuses an address literal before connecting, since no lookup happens for it', async () => {
    const err = await egressPost(createEgressPolicy([]))('http://[::1]:9/x', {}, Buffer.alloc(0), 1_000).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof EgressRefusedError);
  });
});
