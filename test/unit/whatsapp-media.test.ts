import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { uploadFilename, WHATSAPP_UPLOAD_RULES, whatsappUploadRule } from '../../src/meta/whatsapp/media-rules.js';
import { readOpenApi } from '../support/openapi.js';

const MIB = 1024 * 1024;

describe('WhatsApp upload rules', () => {
  it('takes the bare type, case-insensitively, with parameters ignored', () => {
    assert.deepEqual(whatsappUploadRule('image/JPEG'), { mimeType: 'image/jpeg', kind: 'image', maxBytes: 5 * MIB, extension: 'jpg' });
    assert.equal(whatsappUploadRule('audio/ogg; codecs=opus')?.mimeType, 'audio/ogg');
  });

  it('has the per-kind limits: image 5 MiB, sticker 500 KiB, audio and video 16 MiB, documents 100 MiB', () => {
    const limits = Object.fromEntries(['image/png', 'image/webp', 'audio/mpeg', 'video/mp4', 'application/pdf'].map((t) => [t, whatsappUploadRule(t)?.maxBytes]));
    assert.deepEqual(limits, { 'image/png': 5 * MIB, 'image/webp': 500 * 1024, 'audio/mpeg': 16 * MIB, 'video/mp4': 16 * MIB, 'application/pdf': 100 * MIB });
  });

  it('refuses what WhatsApp does not take, forms included', () => {
    for (const type of [undefined, '', 'image/gif', 'image/jpg', 'video/quicktime', 'application/octet-stream', 'multipart/form-data; boundary=x', 'application/zip']) {
      assert.equal(whatsappUploadRule(type), undefined, String(type));
    }
  });

  it('is the list of request body types docs/openapi.json states for the upload', () => {
    const content = readOpenApi().paths['/v1/channels/{id}/media']?.post?.requestBody?.content ?? {};
    assert.deepEqual(Object.keys(content).sort(), [...WHATSAPP_UPLOAD_RULES.keys()].sort());
  });
});

describe('uploadFilename', () => {
  const pdf = whatsappUploadRule('application/pdf')!;

  it('keeps an ordinary name', () => {
    assert.equal(uploadFilename('Invoice 2026-07 (final).pdf', pdf), 'Invoice 2026-07 (final).pdf');
  });

  it('keeps only the last path segment and no leading dots', () => {
    assert.equal(uploadFilename('../../etc/passwd', pdf), 'passwd');
    assert.equal(uploadFilename('C:\\Users\\me\\report.pdf', pdf), 'report.pdf');
    assert.equal(uploadFilename('.hidden.pdf', pdf), 'hidden.pdf');
  });

  it('drops accents and replaces quotes, control characters and other non-ASCII with _', () => {
    assert.equal(uploadFilename('Rechnung März.pdf', pdf), 'Rechnung Marz.pdf');
    assert.equal(uploadFilename('a"b\r\nc;d.pdf', pdf), 'a_b__c_d.pdf');
    assert.equal(uploadFilename('报告 v2.pdf', pdf), '__ v2.pdf');
  });

  it('falls back to media.<ext> when nothing usable is given or left', () => {
    assert.equal(uploadFilename(undefined, pdf), 'media.pdf');
    assert.equal(uploadFilename('...', pdf), 'media.pdf');
    assert.equal(uploadFilename('报告', whatsappUploadRule('image/png')!), 'media.png');
  });

  it('cuts long names to 200 characters, keeping the extension', () => {
    const name = uploadFilename(`${'x'.repeat(300)}.pdf`, pdf);
    assert.equal(name.length, 200);
    assert.ok(name.endsWith('x.pdf'));
  });
});
