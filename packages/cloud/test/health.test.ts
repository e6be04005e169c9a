import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startTestCloud } from '../src/testing/cloud.js';

it('GET /health answers over HTTPS with a request id; unknown paths are a JSON 404', async () => {
  const t = await startTestCloud();
  try {
    const res = await t.request('GET', '/health');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { Status: 'OK' });
    assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
    const missing = await t.request('GET', '/nope');
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { Message: 'Not found' });
  } finally {
    await t.close();
  }
});
