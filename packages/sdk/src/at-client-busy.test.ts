import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AtClient } from './at-client.js';
import { ConnectionClosedError, ModuleBusyError } from './errors.js';
import { duplexPair } from './testing/scripted-module.js';

describe('AtClient and a busy module', () => {
  it("closes as ModuleBusyError with the module's line, for the pending command and every later one, and logs it at warn", async () => {
    const [host, module] = duplexPair();
    const warned: Array<Record<string, unknown>> = [];
    const noop = () => {};
    const client = new AtClient(host, { defaultTimeoutMs: 2_000, logger: { debug: noop, info: noop, error: noop, warn: (obj) => void warned.push(obj as Record<string, unknown>) } });
    const pending = client.send('AT+CGMI');
    // What modemlab's TCP transport does to a second client: one line, then the end.
    module.end('modemlab: busy, another client is attached\r\n');
    await assert.rejects(pending, (e: unknown) => e instanceof ModuleBusyError && e instanceof ConnectionClosedError && e.command === 'AT+CGMI' && e.reason === 'modemlab: busy, another client is attached');
    await assert.rejects(client.send('AT'), ModuleBusyError);
    assert.deepEqual(warned, [{ reason: 'modemlab: busy, another client is attached' }]);
  });

  it('a plain close stays ConnectionClosedError', async () => {
    const [host, module] = duplexPair();
    const client = new AtClient(host, { defaultTimeoutMs: 2_000 });
    const pending = client.send('AT');
    module.end();
    await assert.rejects(pending, (e: unknown) => e instanceof ConnectionClosedError && !(e instanceof ModuleBusyError));
  });
});
