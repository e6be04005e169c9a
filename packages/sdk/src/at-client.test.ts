import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AtClient } from './at-client.js';
import { AtError, AtTimeoutError, CmeError, ConnectionClosedError } from './errors.js';
import { duplexPair, ScriptedModule, type CommandHandler } from './testing/scripted-module.js';

function setup(handler: CommandHandler, opts: { echo?: boolean } = {}) {
  const [host, port] = duplexPair();
  const module = new ScriptedModule(port, handler);
  module.echo = opts.echo ?? false;
  const client = new AtClient(host, { defaultTimeoutMs: 2_000 });
  return { client, module, host, port };
}

/** Writes a string to the host one byte at a time (worst-case chunking). */
function trickle(module: ScriptedModule, text: string | Buffer): void {
  const bytes = typeof text === 'string' ? Buffer.from(text, 'latin1') : text;
  for (const b of bytes) module.write(Buffer.from([b]));
}

const identity: CommandHandler = (cmd, m) => {
  if (cmd === 'AT+CGMI') m.ok('u-blox');
  else if (cmd === 'ATE0') {
    m.echo = false;
    m.ok();
  } else m.ok();
};

describe('AtClient', () => {
  it('returns information lines and OK with echo off', async () => {
    const { client } = setup(identity);
    const r = await client.send('AT+CGMI');
    assert.deepEqual(r.lines, ['u-blox']);
    assert.equal(r.final, 'OK');
    await client.close();
  });

  it('drops the echo of the command line when echo is on', async () => {
    const { client, module } = setup(identity, { echo: true });
    const r = await client.send('AT+CGMI');
    assert.deepEqual(r.lines, ['u-blox']);
    const e0 = await client.send('ATE0');
    assert.deepEqual(e0.lines, []);
    assert.equal(module.echo, false);
    assert.deepEqual((await client.send('AT+CGMI')).lines, ['u-blox']);
    await client.close();
  });

  it('ignores blank lines and survives byte-by-byte delivery', async () => {
    const { client } = setup((cmd, m) => trickle(m, '\r\n\r\n+CSQ: 18,99\r\n\r\n\r\n\r\nOK\r\n'));
    const r = await client.send('AT+CSQ');
    assert.deepEqual(r.lines, ['+CSQ: 18,99']);
    await client.close();
  });

  it('routes a registered URC that arrives in the middle of a response', async () => {
    const { client } = setup((cmd, m) =>
      trickle(m, '\r\n+CGDCONT: 1,"IP","apn","10.0.0.5"\r\n\r\n+UUSORD: 0,12\r\n+CGDCONT: 2,"IPV6","ims",""\r\n\r\nOK\r\n'),
    );
    const urcs: string[] = [];
    const off = client.onUrc('+UUSORD', (line) => urcs.push(line));
    const r = await client.send('AT+CGDCONT?');
    assert.deepEqual(r.lines, ['+CGDCONT: 1,"IP","apn","10.0.0.5"', '+CGDCONT: 2,"IPV6","ims",""']);
    assert.deepEqual(urcs, ['+UUSORD: 0,12']);
    off();
    await client.close();
  });

  it('treats a line with the command\'s own prefix as response, otherwise as URC', async () => {
    const { client, module } = setup((cmd, m) => {
      if (cmd === 'AT+CEREG?') m.ok('+CEREG: 2,1,"0001","01A2D001",7');
      else m.ok('+CEREG: 9'); // e.g. an odd module answering +CEREG: to another command
    });
    const urcs: string[] = [];
    client.onUrc('+CEREG', (line) => urcs.push(line));
    const r = await client.send('AT+CEREG?');
    assert.deepEqual(r.lines, ['+CEREG: 2,1,"0001","01A2D001",7']);
    assert.deepEqual(urcs, []);
    const other = await client.send('AT+COPS?');
    assert.deepEqual(other.lines, []);
    assert.deepEqual(urcs, ['+CEREG: 9']);
    // idle URC
    const next = client.waitForUrc('+CEREG', { timeoutMs: 1_000 });
    module.lines('+CEREG: 5');
    assert.equal(await next, '+CEREG: 5');
    // expectPrefix null: even the command's prefix goes to the URC handler
    urcs.length = 0;
    const r2 = await client.send('AT+CEREG?', { expectPrefix: null });
    assert.deepEqual(r2.lines, []);
    assert.deepEqual(urcs, ['+CEREG: 2,1,"0001","01A2D001",7']);
    await client.close();
  });

  it('does not confuse +UUPING with +UUPINGER', async () => {
    const { client, module } = setup((cmd, m) => m.ok());
    const ping: string[] = [];
    const err: string[] = [];
    client.onUrc('+UUPING', (l) => ping.push(l));
    client.onUrc('+UUPINGER:', (l) => err.push(l));
    const done = client.waitForUrc('+UUPINGER', { timeoutMs: 1_000 });
    module.lines('+UUPING: 1,32,"h","1.2.3.4",115,62', '+UUPINGER: 8');
    await done;
    assert.deepEqual(ping, ['+UUPING: 1,32,"h","1.2.3.4",115,62']);
    assert.deepEqual(err, ['+UUPINGER: 8']);
    await client.close();
  });

  it('rejects +CME ERROR numeric and verbose with CmeError, ERROR with AtError', async () => {
    const { client } = setup((cmd, m) => {
      if (cmd === 'AT+A') m.lines('+CME ERROR: 50');
      else if (cmd === 'AT+B') m.lines('+CME ERROR: Incorrect parameters');
      else if (cmd === 'AT+C') m.lines('+CME ERROR: something new');
      else if (cmd === 'AT+CMGS=5') m.lines('+CMS ERROR: 500');
      else m.lines('ERROR');
    });
    await assert.rejects(client.send('AT+A'), (e: unknown) => {
      assert.ok(e instanceof CmeError);
      assert.equal(e.code, 50);
      assert.equal(e.text, 'Incorrect parameters');
      assert.equal(e.command, 'AT+A');
      assert.deepEqual(e.response, ['+CME ERROR: 50']);
      return true;
    });
    await assert.rejects(client.send('AT+B'), (e: unknown) => e instanceof CmeError && e.code === 50 && e.text === 'Incorrect parameters');
    await assert.rejects(client.send('AT+C'), (e: unknown) => e instanceof CmeError && e.code === undefined && e.text === 'something new');
    await assert.rejects(client.send('AT+CMGS=5'), (e: unknown) => e instanceof CmeError && e.kind === 'CMS' && e.code === 500);
    await assert.rejects(client.send('AT+D'), (e: unknown) => {
      assert.ok(e instanceof AtError && !(e instanceof CmeError));
      assert.equal(e.command, 'AT+D');
      assert.equal(e.final, 'ERROR');
      return true;
    });
    await client.close();
  });

  it('supports numeric result codes after ATV0', async () => {
    const { client } = setup((cmd, m) => {
      if (cmd === 'ATV0') m.write('0\r');
      else if (cmd === 'AT+CGSN') m.write('351234567890123\r\n0\r');
      else if (cmd === 'ATV1') m.ok();
      else m.write('4\r');
    });
    await client.send('ATV0');
    assert.deepEqual((await client.send('AT+CGSN')).lines, ['351234567890123']);
    await assert.rejects(client.send('AT+X'), AtError);
    await client.send('ATV1');
    await client.close();
  });

  it('times out with an error naming the command, then goes on', async () => {
    const { client } = setup((cmd, m) => {
      if (cmd !== 'AT+SLOW') m.ok();
    });
    await assert.rejects(client.send('AT+SLOW', { timeoutMs: 30 }), (e: unknown) => {
      assert.ok(e instanceof AtTimeoutError);
      assert.equal(e.command, 'AT+SLOW');
      assert.equal(e.timeoutMs, 30);
      assert.match(e.message, /AT\+SLOW/);
      return true;
    });
    assert.equal((await client.send('AT')).final, 'OK');
    await assert.rejects(client.waitForUrc('+NEVER', { timeoutMs: 20 }), AtTimeoutError);
    await client.close();
  });

  it('serializes concurrent sends', async () => {
    const { client, module } = setup(
      (cmd, m) =>
        new Promise<void>((resolve) =>
          setImmediate(() => {
            m.ok(`+R: "${cmd}"`);
            resolve();
          }),
        ),
    );
    const results = await Promise.all([client.send('AT+R=1'), client.send('AT+R=2'), client.send('AT+R=3')]);
    assert.deepEqual(
      results.map((r) => r.lines[0]),
      ['+R: "AT+R=1"', '+R: "AT+R=2"', '+R: "AT+R=3"'],
    );
    assert.deepEqual(module.received, ['AT+R=1', 'AT+R=2', 'AT+R=3']);
    assert.equal(module.overlap, false);
    await client.close();
  });

  const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));

  it('writes a binary payload after the prompt (all 256 byte values), @ and > forms', async () => {
    let got: Buffer[] = [];
    const { client } = setup(async (cmd, m) => {
      const at = /^AT\+USOWR=0,(\d+)$/.exec(cmd);
      const gt = /^AT\+USECMNG=0,0,"ca",(\d+)$/.exec(cmd);
      if (!at && !gt) return m.ok();
      m.write(at ? '\r\n@' : '\r\n> ');
      const data = await m.readRaw(Number((at ?? gt)![1]));
      got.push(data);
      m.ok(at ? `+USOWR: 0,${data.length}` : '+USECMNG: 0,0,"ca","md5"');
    });
    const r = await client.send('AT+USOWR=0,256', { prompt: { data: all, char: '@' } });
    assert.deepEqual(r.lines, ['+USOWR: 0,256']);
    const r2 = await client.send('AT+USECMNG=0,0,"ca",256', { prompt: { data: all } });
    assert.deepEqual(r2.lines, ['+USECMNG: 0,0,"ca","md5"']);
    assert.equal(got.length, 2);
    assert.ok(got.every((g) => g.equals(all)));
    got = [];
    await client.close();
  });

  it('reads binary data inside a response line (binaryHeader) and after a URC (readBinary)', async () => {
    const { client, module } = setup((cmd, m) => {
      if (cmd === 'AT+USORD=0,256') {
        m.write('\r\n+USORD: 0,256,"');
        trickle(m, all);
        m.write('"\r\n\r\nOK\r\n');
      } else m.ok();
    });
    const r = await client.send('AT+USORD=0,256', { binaryHeader: /^\+USORD: \d+,(\d+),"$/ });
    assert.deepEqual(r.lines, ['+USORD: 0,256,""']);
    assert.equal(r.binary.length, 1);
    assert.ok(r.binary[0]!.equals(all));

    const block = new Promise<Buffer>((resolve, reject) => {
      client.onUrc('+UUDATA', (line) => {
        const n = Number(line.split(': ')[1]);
        client.readBinary(n, { timeoutMs: 1_000 }).then(resolve, reject);
      });
    });
    const after = client.waitForUrc('+AFTER', { timeoutMs: 1_000 });
    module.write(Buffer.concat([Buffer.from('\r\n+UUDATA: 256\r\n'), all, Buffer.from('\r\n+AFTER: 1\r\n')]));
    assert.ok((await block).equals(all));
    assert.equal(await after, '+AFTER: 1');
    await client.close();
  });

  it('reads binary data after a response line (binaryAfterLine), byte by byte and with a count of 0', async () => {
    const { client } = setup((cmd, m) => {
      if (cmd === 'AT#SSLRECV=1,1000') {
        m.write('\r\n#SSLRECV: 256\r\n');
        trickle(m, all);
        m.write('\r\n\r\nOK\r\n');
      } else if (cmd === 'AT#SSLRECV=1,10') m.ok('#SSLRECV: 0', 'TIMEOUT');
      else m.ok();
    });
    const opts = { binaryAfterLine: /^#SSLRECV: ?(\d+)$/, expectPrefix: ['#SSLRECV:', 'TIMEOUT'] };
    const r = await client.send('AT#SSLRECV=1,1000', opts);
    assert.deepEqual(r.lines, ['#SSLRECV: 256']);
    assert.ok(Buffer.concat(r.binary).equals(all));
    const empty = await client.send('AT#SSLRECV=1,10', opts);
    assert.deepEqual(empty.lines, ['#SSLRECV: 0', 'TIMEOUT']);
    assert.equal(Buffer.concat(empty.binary).length, 0);
    await client.close();
  });

  it('rejects pending and queued commands and waits when the stream closes', async () => {
    const { client, port } = setup(() => {
      /* never answers */
    });
    const a = client.send('AT+A', { timeoutMs: 5_000 });
    const b = client.send('AT+B', { timeoutMs: 5_000 });
    const w = client.waitForUrc('+X', { timeoutMs: 5_000 });
    setImmediate(() => port.end());
    await assert.rejects(a, (e: unknown) => e instanceof ConnectionClosedError && e.command === 'AT+A');
    await assert.rejects(b, ConnectionClosedError);
    await assert.rejects(w, ConnectionClosedError);
    assert.equal(client.closed, true);
    await assert.rejects(client.send('AT'), ConnectionClosedError);
  });

  it('rejects pending commands on a stream error and on close()', async () => {
    const { client, host } = setup(() => {});
    const a = client.send('AT+A', { timeoutMs: 5_000 });
    host.destroy(new Error('boom'));
    await assert.rejects(a, (e: unknown) => e instanceof ConnectionClosedError && /boom/.test(e.message));

    const s2 = setup(() => {});
    const b = s2.client.send('AT+B', { timeoutMs: 5_000 });
    await s2.client.close();
    await assert.rejects(b, ConnectionClosedError);
  });
});
