/**
 * The lab console in a real headless Chromium (Debian's chromium over the DevTools
 * protocol): open the console, see the module, send AT and see OK in the trace, open a
 * socket, flip coverage off and see +CEREG: 2 and the socket close (+UUSOCL), the hex view;
 * a screenshot is saved under test-artifacts/ (gitignored).
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { loadModuleApi } from '../module-api.js';
import { startServe, type Served } from '../serve.js';
import { Chromium, CHROMIUM, type Page } from './chromium.testutil.js';

const ARTIFACTS = fileURLToPath(new URL('../../../../test-artifacts/', import.meta.url));
const skip = CHROMIUM ? false : 'chromium not installed (apt-get install chromium)';

/** A trace row of the page (rows in view) that ends with `text`. */
const row = (text: string): string => `[...document.querySelectorAll('#trace-rows .row')].some((r) => r.textContent.endsWith(${JSON.stringify(text)}))`;
const rowCount = (text: string): string => `[...document.querySelectorAll('#trace-rows .row')].filter((r) => r.textContent.endsWith(${JSON.stringify(text)})).length`;

describe('lab console in headless Chromium', { skip }, () => {
  let served: Served;
  let base: string;
  let state: string;
  let peer: net.Server;
  let browser: Chromium;
  let page: Page;

  before(async () => {
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-console-'));
    peer = net.createServer((s) => s.on('data', (d) => s.write(d)));
    peer.listen(0, '127.0.0.1');
    await once(peer, 'listening');
    const lines: string[] = [];
    served = await startServe(
      await loadModuleApi(),
      { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state, hosts: {}, count: 1, network: { registrationDelayMs: 0 }, console: { host: '127.0.0.1', port: 0, token: 'lab-token' } },
      (l) => lines.push(l),
    );
    base = /lab console on (http:\/\/\S+)\//.exec(lines.join('\n'))![1]!;
    browser = await Chromium.launch();
    await browser.send('Emulation.setFocusEmulationEnabled', { enabled: true }).catch(() => {});
    page = await browser.open(`${base}/?token=lab-token`);
  });
  after(async () => {
    await browser?.close();
    await served?.close();
    peer?.close();
    fs.rmSync(state, { recursive: true, force: true });
  });

  const send = async (cmd: string): Promise<void> => {
    await page.eval(`document.getElementById('cmd').value = ${JSON.stringify(cmd)}; document.getElementById('send').click()`);
  };

  it('shows the module, sends AT, sees OK; coverage off shows +CEREG: 2 and the socket failing', async () => {
    assert.equal(await page.waitFor(`document.querySelector('#modules li.selected')?.textContent`), 'sara-r5-0 (sara-r5)');
    await send('AT');
    await page.waitFor(row('> AT'));
    await page.waitFor(row('< OK'));
    await send('AT+CEREG=1');
    await page.waitFor(`${rowCount('< OK')} >= 2`);
    await send('AT+USOCR=6');
    await page.waitFor(row('< +USOCR: 0'));
    const { port } = peer.address() as net.AddressInfo;
    await send(`AT+USOCO=0,"127.0.0.1",${port}`);
    await page.waitFor(`${rowCount('< OK')} >= 4`);
    await page.waitFor(`document.getElementById('coverage').textContent === 'coverage off'`);
    await page.eval(`document.getElementById('coverage').click()`);
    await page.waitFor(row('lab coverage=false'));
    await page.waitFor(row('! +CEREG: 2'));
    await page.waitFor(row('! +UUSOCL: 0'));
    await page.waitFor(`document.getElementById('state').textContent.includes('"coverage": false')`);
    await page.screenshot(path.join(ARTIFACTS, 'console-coverage-off.png'));
    // The hex view: the raw chunks, every layer (the port client's AT\r among them).
    // The page redraws on the next animation frame, and until then the event rows are still
    // there: wait for the hex row itself, not for any row.
    await page.eval(`document.getElementById('hex').click()`);
    await page.waitFor(`document.getElementById('trace-rows').textContent.includes('0d 0a 2b 55 55 53 4f 43 4c 3a 20 30 0d 0a')`);
    await page.screenshot(path.join(ARTIFACTS, 'console-hex.png'));
  });
});
