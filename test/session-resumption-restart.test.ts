/**
 * Seed 000 §3.4.1.1 across a real power cycle: `modemlab serve` runs, the host acquires the
 * TLS session data (+UUSECPRF op 13), the process ends (SIGTERM) and a new `serve` starts on
 * the same --state folder; the host sets the session data back and the module resumes the
 * session for real (the HTTPS server's view). What the host restores: the session ID and
 * master secret, the resumption settings and the HTTP profile (RAM only). What the module
 * keeps in NVM: certificates, security profile, and per reported session its suite,
 * version and server certificate (services/tls/session-memory.ts).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startHttpServer, type TestHttpServer } from '../packages/module/src/testing/http-server.js';
import { makeServerPki, type ServerPki } from '../packages/module/src/testing/server-pki.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const HOST = 'www.ssl_tls_test_server.com';
const FINAL = /\r\n(OK|ERROR|\+CME ERROR: [^\r\n]*)\r\n/;

/** A host on the module's TCP port: sends lines, waits for final results and URCs by event. */
class AtLine {
  private text = '';
  private waiters: (() => void)[] = [];
  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (c: Buffer) => {
      this.text += c.toString('latin1');
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(port: number): Promise<AtLine> {
    const s = net.connect({ host: '127.0.0.1', port });
    await once(s, 'connect');
    return new AtLine(s);
  }

  /** Waits until `re` matches the unread text; returns the match and consumes up to its end. */
  async waitFor(re: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const m = re.exec(this.text);
      if (m) {
        this.text = this.text.slice(m.index + m[0].length);
        return m;
      }
      await new Promise<void>((resolve, reject) => {
        this.waiters.push(resolve);
        this.socket.once('close', () => reject(new Error(`closed waiting for ${re}; got ${JSON.stringify(this.text)}`)));
      });
    }
  }

  /** Sends a command (or raw bytes) and returns everything up to and including its final result (or `until`). */
  async at(line: string, raw = false, until: RegExp = FINAL): Promise<string> {
    this.socket.write(raw ? line : `${line}\r`);
    const m = await this.waitFor(until);
    return m.input.slice(0, m.index + m[0].length);
  }

  close(): void {
    this.socket.destroy();
  }
}

interface Serve {
  child: ChildProcessWithoutNullStreams;
  port: number;
}

async function serve(state: string, httpsPort: number): Promise<Serve> {
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'packages/cli/bin/modemlab.js'), 'serve', '--tcp', '127.0.0.1:0', '--state', state,
      '--hosts', `${HOST}=127.0.0.1`, '--forward', `127.0.0.1:443=127.0.0.1:${httpsPort}`,
    ],
    { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on tcp:\/\/127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
  });
  return { child, port };
}

async function stop(s: Serve): Promise<void> {
  const exited = once(s.child, 'exit');
  s.child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0);
}

/** Echo off, verbose errors, and registered (the URC, or the state already reached). */
async function ready(host: AtLine): Promise<void> {
  await host.at('ATE0');
  assert.match(await host.at('AT+CMEE=2'), /OK/);
  await host.at('AT+CEREG=1');
  const stat = await host.at('AT+CEREG?');
  if (!/\+CEREG: 1,1\r\n/.test(stat)) await host.waitFor(/\r\n\+CEREG: 1\r\n/);
}

let pki: ServerPki;
let server: TestHttpServer;
let state: string;

before(async () => {
  pki = makeServerPki({ serverName: HOST });
  server = await startHttpServer(
    (req, res) => {
      const body = `${req.resumed ? 'resumed' : 'new'} TLS session\n`;
      res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    },
    { key: pki.serverKey, cert: pki.serverCert, sessionIds: true, maxVersion: 'TLSv1.2' },
  );
  state = fs.mkdtempSync(path.join(os.tmpdir(), 'modemlab-resume-'));
});

after(async () => {
  await server.close();
  fs.rmSync(state, { recursive: true, force: true });
});

test('TLS session resumption (seed 000 §3.4.1.1) across a restart of serve on the same --state', { timeout: 60_000 }, async () => {
  // Phase 1: a full handshake; the host keeps the session data the module reports.
  const first = await serve(state, server.port);
  let sessionId: string;
  let masterSecret: string;
  try {
    const host = await AtLine.open(first.port);
    await ready(host);
    host.close();
    const h = await AtLine.open(first.port);
    await h.at(`AT+USECMNG=0,0,"rootCA",${Buffer.byteLength(pki.caPem)}`, false, /\r\n>/);
    assert.match(await h.at(pki.caPem, true), /\+USECMNG: 0,0,"rootCA","[0-9a-f]{32}"\r\n\r\nOK/);
    for (const cmd of ['AT+USECPRF=1,0,1', 'AT+USECPRF=1,3,"rootCA"', `AT+UHTTP=0,1,"${HOST}"`, 'AT+USECPRF=1,13,0,1', 'AT+USECPRF=1,13,1,0', 'AT+UHTTP=0,6,1,1']) {
      assert.match(await h.at(cmd), /\r\nOK\r\n$/, cmd);
    }
    assert.match(await h.at('AT+UHTTPC=0,1,"/index.html","response_file"'), /OK/);
    const data = await h.waitFor(/\r\n\+UUSECPRF: 1,13,2,"([^"]+)","([^"]+)"\r\n/);
    [sessionId, masterSecret] = [data[1]!, data[2]!];
    await h.waitFor(/\r\n\+UUHTTPCR: 0,1,1\r\n/);
    assert.equal(server.requests.at(-1)?.resumed, false, 'phase 1 is a full handshake');
    h.close();
  } finally {
    await stop(first);
  }

  // Phase 2: a new process on the same state folder (a power cycle): the host sets back
  // what RAM lost, and the module resumes with what it kept in NVM.
  const second = await serve(state, server.port);
  try {
    const host = await AtLine.open(second.port);
    await ready(host);
    assert.match(await host.at('AT+USECPRF=1,13,0'), /\+USECPRF: 1,13,0,0\r\n/, 'resumption settings are RAM only');
    for (const cmd of [`AT+UHTTP=0,1,"${HOST}"`, 'AT+USECPRF=1,13,0,1', 'AT+USECPRF=1,13,1,0', `AT+USECPRF=1,13,2,"${sessionId}","${masterSecret}"`, 'AT+UHTTP=0,6,1,1']) {
      assert.match(await host.at(cmd), /\r\nOK\r\n$/, cmd);
    }
    assert.match(await host.at('AT+UHTTPC=0,1,"/index.html","response_file"'), /OK/);
    const data = await host.waitFor(/\r\n\+UUSECPRF: 1,13,2,"([^"]+)","([^"]+)"\r\n/);
    assert.deepEqual([data[1], data[2]], [sessionId, masterSecret], 'the same session');
    await host.waitFor(/\r\n\+UUHTTPCR: 0,1,1\r\n/);
    assert.equal(server.requests.at(-1)?.resumed, true, "the server's view: resumed");
    assert.match(await host.at('AT+URDFILE="response_file"'), /resumed TLS session/);
    host.close();
  } finally {
    await stop(second);
  }
});
