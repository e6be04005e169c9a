import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { loadModuleApi } from './module-api.js';
import { startServe } from './serve.js';

test('serve --model bc66: a Quectel BC66 answers ATI over TCP', async () => {
  const api = await loadModuleApi();
  assert.ok(api.listModels().includes('bc66'));
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-bc66-'));
  const lines: string[] = [];
  const served = await startServe(api, { model: 'bc66', tcp: { host: '127.0.0.1', port: 0 }, state, hosts: {}, count: 1 }, (l) => lines.push(l));
  let s: net.Socket | undefined;
  try {
    const m = /^modemlab: bc66 listening on tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(lines[0] ?? '');
    assert.ok(m, lines.join('\n'));
    s = net.connect({ host: '127.0.0.1', port: Number(m[1]) });
    await once(s, 'connect');
    s.write('ATI\r');
    let got = '';
    for await (const c of s) {
      got += (c as Buffer).toString('latin1');
      if (got.includes('OK\r\n')) break;
    }
    assert.equal(got, 'ATI\r\r\nQuectel_Ltd\r\nQuectel_BC66\r\nRevision: BC66NBR01A10\r\n\r\nOK\r\n');
  } finally {
    s?.destroy();
    await served.close();
    fs.rmSync(state, { recursive: true, force: true });
  }
});
