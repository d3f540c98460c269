import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { createMessage, decodeMessage, encodeMessage, WireError } from '../../src/runner/wire';

describe('wire protocol', () => {
  const key = 'secret-key';

  it('signs the four JSON frames with HMAC-SHA256, as the spec says', () => {
    const msg = createMessage('execute_request', { code: '1 + 1' }, 'session-1');
    const frames = encodeMessage(msg, key);
    assert.equal(frames[0]?.toString(), '<IDS|MSG>');
    const expected = createHmac('sha256', key);
    for (const f of frames.slice(2, 6)) expected.update(f);
    assert.equal(frames[1]?.toString(), expected.digest('hex'));
    assert.deepEqual(JSON.parse(frames[5]!.toString()), { code: '1 + 1' });
  });

  it('decodes what it encodes, with routing ids in front', () => {
    const msg = createMessage('kernel_info_request', {}, 's');
    msg.parent_header = { msg_id: 'parent' };
    const frames = [Buffer.from('router-id'), ...encodeMessage(msg, key)];
    const back = decodeMessage(frames, key);
    assert.equal(back.header.msg_type, 'kernel_info_request');
    assert.equal(back.header.msg_id, msg.header.msg_id);
    assert.equal(back.parent_header.msg_id, 'parent');
  });

  it('rejects a tampered message and a wrong key', () => {
    const frames = encodeMessage(createMessage('status', { execution_state: 'idle' }, 's'), key);
    const tampered = [...frames];
    tampered[5] = Buffer.from(JSON.stringify({ execution_state: 'busy' }));
    assert.throws(() => decodeMessage(tampered, key), WireError);
    assert.throws(() => decodeMessage(frames, 'other-key'), /signature/);
    assert.throws(() => decodeMessage([Buffer.from('x')], key), /delimiter/);
  });
});
