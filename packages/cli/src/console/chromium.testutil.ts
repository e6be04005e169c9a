/**
 * Debian's headless chromium driven over the DevTools protocol with the `ws` client (what
 * puppeteer-core does underneath; no extra dependency): launch, open a page, evaluate,
 * screenshot. For the lab console's browser test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WebSocket } from 'ws';

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => fs.existsSync(p) && spawnSync(p, ['--version']).status === 0);

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class Chromium {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  private constructor(
    private readonly proc: ChildProcess,
    private readonly ws: WebSocket,
    private readonly profile: string,
  ) {
    ws.on('message', (data: Buffer) => {
      const msg = JSON.parse(data.toString('utf8')) as { id?: number; result?: unknown; error?: { message: string } };
      const p = msg.id === undefined ? undefined : this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id!);
      if (msg.error) p.reject(new Error(msg.error.message));
      else p.resolve(msg.result);
    });
  }

  static async launch(): Promise<Chromium> {
    if (!CHROMIUM) throw new Error('chromium is not installed');
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-chromium-'));
    const proc = spawn(CHROMIUM, ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--remote-debugging-port=0', `--user-data-dir=${profile}`, '--window-size=1280,800', 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const url = await new Promise<string>((resolve, reject) => {
      let err = '';
      proc.stderr!.on('data', (d: Buffer) => {
        err += d.toString('utf8');
        const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
        if (m) resolve(m[1]!);
      });
      proc.once('exit', (code) => reject(new Error(`chromium exited (${code}): ${err.slice(-500)}`)));
    });
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return new Chromium(proc, ws, profile);
  }

  send<T = unknown>(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<T> {
    const id = ++this.nextId;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.ws.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });
  }

  /** A new tab at `url`, attached: its commands go to its session. */
  async open(url: string): Promise<Page> {
    const { targetId } = await this.send<{ targetId: string }>('Target.createTarget', { url: 'about:blank' });
    const { sessionId } = await this.send<{ sessionId: string }>('Target.attachToTarget', { targetId, flatten: true });
    // Navigated once attached: every later evaluation runs in the page's own context.
    await this.send('Page.navigate', { url }, sessionId);
    const page = new Page(this, sessionId);
    await page.waitFor(`document.readyState === 'complete'`);
    return page;
  }

  async close(): Promise<void> {
    this.ws.close();
    const exited = new Promise((r) => this.proc.once('exit', r));
    this.proc.kill('SIGTERM');
    await exited;
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  constructor(
    private readonly browser: Chromium,
    private readonly sessionId: string,
  ) {}

  /** Evaluates an expression in the page (promises awaited) and returns its value. */
  async eval<T = unknown>(expression: string): Promise<T> {
    const r = await this.browser.send<{ result: { value?: T }; exceptionDetails?: { text: string; exception?: { description?: string } } }>(
      'Runtime.evaluate',
      { expression, awaitPromise: true, returnByValue: true },
      this.sessionId,
    );
    if (r.exceptionDetails) throw new Error(r.exceptionDetails.exception?.description ?? r.exceptionDetails.text);
    return r.result.value as T;
  }

  /**
   * Waits until `expression` is truthy (the page polls it); after `hangMs` (a hang guard, not
   * a timing the test asserts) fails with the page's text, to show what it had instead.
   */
  waitFor(expression: string, hangMs = 30_000): Promise<unknown> {
    return this.eval(
      `new Promise((resolve, reject) => { const t0 = Date.now(); const check = () => { let v; try { v = (${expression}); } catch (e) { v = undefined; } ` +
        `if (v) resolve(v); else if (Date.now() - t0 > ${hangMs}) reject(new Error('waited for ' + ${JSON.stringify(expression)} + '; page: ' + document.body.innerText.slice(-2000))); else setTimeout(check, 10); }; check(); })`,
    );
  }

  async screenshot(file: string): Promise<void> {
    const { data } = await this.browser.send<{ data: string }>('Page.captureScreenshot', { format: 'png' }, this.sessionId);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, Buffer.from(data, 'base64'));
  }
}
