import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
// The helper the client decodes payloads with (codecs, then the payload converter).
import { decodeArrayFromPayloads } from '@temporalio/common/lib/internal-non-workflow/index.js';
import { createMetaEmulator, type MetaEmulator, type RunningMetaEmulator } from '../../dev/meta-emulator/app.js';
import type { PhoneNumberSpec } from '../../dev/meta-emulator/scenario.js';
import { connectionWorkflowId } from '../../src/shared/ids.js';
import { connectViaApi, dskApi } from '../support/connect.js';
import { metaEmulatorEnv } from '../support/meta-env.js';
import { startTestService, uniqueMetaId, type TestService } from '../support/service.js';

/**
 * Connecting WhatsApp numbers as Meta really registers them (docs/meta-behaviours.md P1–P8, C5):
 * the number is read first and registered only when it is not on Cloud API yet; a number with
 * two-step verification needs its owner's PIN, asked on the connect page, used once, never kept in
 * clear and never in workflow history; and a wait Meta asks for is a timer, not a retry storm.
 */
describe('connecting WhatsApp numbers: registration, two-step verification PIN and waits (Meta emulator)', () => {
  let emulator: MetaEmulator;
  let meta: RunningMetaEmulator;
  let service: TestService;
  const metaAppSecret = randomBytes(16).toString('hex');
  const instanceId = `inst-reg-${uniqueMetaId()}`;

  before(async () => {
    emulator = createMetaEmulator({ appSecret: metaAppSecret });
    meta = await emulator.listen();
    service = await startTestService({ env: metaEmulatorEnv(meta), metaAppSecret, connectionTiming: { registrationWaitCapMs: 1_500 } });
  });
  after(async () => {
    await service?.stop();
    await meta?.close();
  });

  function grantNumber(spec: PhoneNumberSpec) {
    const grant = emulator.state.configureGrant({ flow: 'whatsapp_embedded_signup', assets: [{ phoneNumbers: [spec] }] });
    return emulator.state.phoneNumbers.get(grant.phoneNumberIds[0]!)!;
  }
  const registerCalls = (phoneNumberId: string) => emulator.state.requests.filter((r) => r.method === 'POST' && r.path.endsWith(`/${phoneNumberId}/register`)).length;

  /** Every payload of the connection workflow's history, decoded as an operator's codec would. */
  async function decodedHistory(connectionId: string): Promise<string> {
    const history = await service.client.workflow.getHandle(connectionWorkflowId(connectionId)).fetchHistory();
    const { loadedDataConverter } = service.client.workflow.options;
    const texts: string[] = [];
    const visit = async (node: unknown): Promise<void> => {
      if (Array.isArray(node)) for (const item of node) await visit(item);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'payloads' && Array.isArray(value)) texts.push(JSON.stringify(await decodeArrayFromPayloads(loadedDataConverter, value)));
          else await visit(value);
        }
      }
    };
    await visit(history.events);
    return texts.join('\n');
  }

  it('asks for the PIN of a number with two-step verification, again after a wrong one, and connects with the right one', async () => {
    const number = grantNumber({ pin: '246810' });
    const pages: string[] = [];
    const connected = await connectViaApi(service, instanceId, 'whatsapp', { pins: ['135791', '246810'], pages });
    assert.match(pages[0]!, /<title>Enter your two-step verification PIN/);
    assert.match(pages[0]!, /This number has two-step verification: enter its six-digit PIN to finish connecting\./);
    assert.match(pages[1]!, /That PIN does not match this number(&#39;|')s two-step verification PIN/);
    assert.equal(connected.status, 200, connected.html);
    assert.match(connected.html, /Channel connected/);
    assert.ok(connected.channelId);
    assert.equal(number.registered, true);
    // No call without the PIN: the first register call was the wrong PIN, the second the right one.
    assert.equal(registerCalls(number.id), 2);

    const session = await service.foundation.pool.query(`SELECT 1 FROM connection_sessions WHERE connection_id = $1`, [connected.connectionId]);
    assert.equal(session.rowCount, 0, 'the session, and the PIN with it, is gone');
    const history = await decodedHistory(connected.connectionId);
    assert.ok(history.includes(number.id), 'the decoded history is readable');
    assert.ok(!history.includes('246810') && !history.includes('135791'), 'no PIN in the workflow history');
  });

  it('connects a number already registered with its own PIN (migrated) without /register, and a WhatsApp Business app number likewise', async () => {
    for (const spec of [{ registered: true, pin: '975310' }, { onBizApp: true }] satisfies PhoneNumberSpec[]) {
      const number = grantNumber(spec);
      const connected = await connectViaApi(service, instanceId, 'whatsapp');
      assert.equal(connected.status, 200, connected.html);
      assert.match(connected.html, /Channel connected/, JSON.stringify(spec));
      assert.equal(registerCalls(number.id), 0, JSON.stringify(spec));
    }
  });

  it('waits on a timer when Meta asks to (133015), shows it, and completes the connection by itself', async () => {
    const number = grantNumber({});
    emulator.state.injectFault({ method: 'POST', path: `/v26.0/${number.id}/register`, error: { code: 133015, message: 'Please wait a few minutes before attempting to register this phone number' } });
    const connected = await connectViaApi(service, instanceId, 'whatsapp');
    assert.match(connected.html, /<title>Connection pending/);
    const waiting = await dskApi(service, instanceId, 'GET', `/v1/connections/${connected.connectionId}`);
    assert.equal(waiting.body.status, 'registration_waiting');
    const deadline = Date.now() + 20_000;
    let status = String(waiting.body.status);
    while (status !== 'active' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      status = String((await dskApi(service, instanceId, 'GET', `/v1/connections/${connected.connectionId}`)).body.status);
    }
    assert.equal(status, 'active');
    assert.equal(registerCalls(number.id), 2, 'one refused call, one after the wait');
    assert.equal(number.registered, true);
  });
});
