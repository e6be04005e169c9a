import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { cme } from './failure.js';
import type { DataPipe, PipeReceiver } from '../link/byte-pipe.js';
import { ModuleHarness, settle } from '../testing/harness.js';

/** A pipe whose remote end echoes what it gets, so online-mode bytes can be checked both ways. */
class EchoPipe implements DataPipe {
  sink?: PipeReceiver;
  received: Buffer[] = [];
  write(bytes: Buffer): void {
    this.received.push(Buffer.from(bytes));
    this.sink?.data(Buffer.from(bytes));
  }
  attach(sink: PipeReceiver): void {
    this.sink = sink;
  }
  detach(): void {
    this.sink = undefined;
  }
  all(): Buffer {
    return Buffer.concat(this.received);
  }
}

describe('terminal engine', () => {
  let h: ModuleHarness;
  let pipe: EchoPipe;
  let promptData: Buffer | undefined;
  let sinkChunks: Buffer[] = [];
  let sinkReceived = -1;
  const jobBytes: Buffer[] = [];
  let finishJob: (() => void) | undefined;

  before(async () => {
    h = await ModuleHarness.create();
    pipe = new EchoPipe();
    // Test-only commands that exercise the engine's prompt and online modes.
    h.module.registry.add({
      name: '+XTEXT',
      async action(ctx) {
        const r = await ctx.prompt({ kind: 'text' });
        if (r.status !== 'done') throw cme(3);
        ctx.info(`+XTEXT: "${r.data.toString('latin1')}"`);
      },
    });
    h.module.registry.add({
      name: '+XBIN',
      params: [{ name: 'n', type: 'int', min: 0, max: 4096 }],
      async set(ctx, { n }) {
        const r = await ctx.prompt({ kind: 'binary', length: n as number, char: '@', guardMs: 20000 });
        if (r.status === 'timeout') throw cme(1910);
        if (r.status !== 'done') throw cme(3);
        promptData = r.data;
        ctx.info(`+XBIN: ${r.data.length}`);
      },
    });
    h.module.registry.add({
      name: '+XSINK',
      params: [{ name: 'n', type: 'int', min: 0, max: 4096 }],
      async set(ctx, { n }) {
        const chunks: Buffer[] = [];
        const r = await ctx.prompt({ kind: 'binary', length: n as number, guardMs: 20000, sink: (c) => chunks.push(Buffer.from(c)) });
        if (r.status === 'timeout') {
          sinkReceived = r.received;
          throw cme(1649);
        }
        if (r.status !== 'done') throw cme(3);
        sinkChunks = chunks;
        ctx.info(`+XSINK: ${r.data.length},${chunks.length}`);
      },
    });
    h.module.registry.add({
      name: '+XONLINE',
      action(ctx) {
        return ctx.goOnline(pipe);
      },
    });
    h.module.registry.add({
      name: '+XJOB',
      action(ctx) {
        // A pipe whose +++ ends its job: the result comes when the owner says so.
        const job: DataPipe = {
          write: (bytes) => jobBytes.push(Buffer.from(bytes)),
          attach: () => {},
          detach: () => {},
          escape: () => new Promise((resolve) => (finishJob = () => resolve({ text: 'NO CARRIER', numeric: 3 }))),
        };
        return ctx.goOnline(job);
      },
    });
    h.module.registry.add({
      name: '+XSLOW',
      async action(ctx) {
        ctx.module.urc('+XURC: during');
        await new Promise((r) => setTimeout(r, 30));
        ctx.info('+XSLOW: done');
      },
    });
  });
  after(() => h.close());

  it('echoes and answers AT in any case', async () => {
    assert.equal(await h.send('AT\r'), 'AT\r\r\nOK\r\n');
    assert.equal(await h.send('at\r'), 'at\r\r\nOK\r\n');
    assert.equal(await h.send('aT\r'), 'aT\r\r\nOK\r\n');
  });

  it('turns echo off with ATE0 and runs basic commands back to back', async () => {
    assert.equal(await h.send('ATE0V1\r'), 'ATE0V1\r\r\nOK\r\n');
    assert.equal(await h.send('AT\r'), '\r\nOK\r\n');
  });

  it('concatenates extended commands with ;', async () => {
    assert.equal(await h.send('AT+CMEE=2;+CGMI\r'), '\r\nu-blox\r\n\r\nOK\r\n');
    assert.equal(await h.send('AT+CGMI;+CGMM\r'), '\r\nu-blox\r\n\r\nSARA-R510M8S\r\n\r\nOK\r\n');
  });

  it('stops a line at the first failing command', async () => {
    assert.equal(await h.send('AT+CMEE=1;+CMEE=9;+CMEE=0\r'), '\r\n+CME ERROR: 50\r\n');
    assert.equal(await h.send('AT+CMEE?\r'), '\r\n+CMEE: 1\r\n\r\nOK\r\n');
  });

  it('renders errors per +CMEE', async () => {
    await h.send('AT+CMEE=0\r');
    assert.equal(await h.send('AT+CMEE=7\r'), '\r\nERROR\r\n');
    await h.send('AT+CMEE=1\r');
    assert.equal(await h.send('AT+CMEE=7\r'), '\r\n+CME ERROR: 50\r\n');
    await h.send('AT+CMEE=2\r');
    assert.equal(await h.send('AT+CMEE=7\r'), '\r\n+CME ERROR: Incorrect parameters\r\n');
    assert.equal(await h.send('AT+CMEE="2"\r'), '\r\n+CME ERROR: Incorrect parameters\r\n');
    assert.equal(await h.send('AT+CMEE=1,2\r'), '\r\n+CME ERROR: Incorrect parameters\r\n');
    assert.equal(await h.send('AT+CMEE?\r'), '\r\n+CMEE: 2\r\n\r\nOK\r\n', 'a rejected command changes nothing');
  });

  it('answers unknown commands and junk with ERROR, whatever +CMEE', async () => {
    assert.equal(await h.send('AT+NOSUCH\r'), '\r\nERROR\r\n');
    assert.equal(await h.send('hello\r'), '\r\nERROR\r\n');
    assert.equal(await h.send('AT+CGMI=\r'), '\r\n+CME ERROR: operation not supported\r\n');
    assert.equal(await h.send('AT+CMEE="unterminated\r'), '\r\nERROR\r\n');
    assert.equal(await h.send('\r'), '', 'a bare terminator is ignored');
  });

  it('survives random bytes and keeps answering', async () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % 256;
    for (let round = 0; round < 20; round++) {
      const junk = Buffer.from(Array.from({ length: 200 }, rnd).filter((b) => b !== 0x41 && b !== 0x61));
      await h.send(junk);
      await h.send('\r');
    }
    await h.advance(60000);
    await h.send('ATE0\r');
    assert.equal(await h.send('AT\r'), '\r\nOK\r\n');
  });

  it('rejects an over-long line with the product error and recovers', async () => {
    await h.send('AT+CMEE=1\r');
    const long = 'AT+CGMI' + ';+CGMI'.repeat(300) + '\r';
    assert.equal(await h.send(long), '\r\n+CME ERROR: 1650\r\n');
    assert.equal(await h.send('AT\r'), '\r\nOK\r\n');
  });

  it('honours S5 backspace and A/', async () => {
    assert.equal(await h.send('AT+CGMX\bI\r'), '\r\nu-blox\r\n\r\nOK\r\n');
    assert.equal(await h.send('A/'), '\r\nu-blox\r\n\r\nOK\r\n');
    assert.equal(await h.send('ATS5?\r'), '\r\n008\r\n\r\nOK\r\n');
  });

  it('gives numeric result codes with ATV0', async () => {
    assert.equal(await h.send('ATV0\r'), '0\r');
    assert.equal(await h.send('AT+CGMI\r'), 'u-blox\r\n0\r');
    assert.equal(await h.send('AT+NOSUCH\r'), '4\r');
    assert.equal(await h.send('ATV1\r'), '\r\nOK\r\n');
  });

  it('holds URCs raised during a command until its final result', async () => {
    const out = await h.send('AT+XSLOW\r');
    // The command takes 30 ms of real time: wait for its end, not for a fixed delay (a loaded machine is slower).
    const all = out + (out.includes('+XURC: during\r\n') ? '' : await h.waitFor('+XURC: during\r\n'));
    assert.equal(all, '\r\n+XSLOW: done\r\n\r\nOK\r\n\r\n+XURC: during\r\n');
  });

  it('collects text after > until Ctrl-Z, and ESC cancels', async () => {
    assert.equal(await h.send('AT+XTEXT\r'), '\r\n>');
    assert.equal(await h.send('hello, world\x1a'), '\r\n+XTEXT: "hello, world"\r\n\r\nOK\r\n');
    assert.equal(await h.send('AT+XTEXT\r'), '\r\n>');
    assert.equal(await h.send('discard me\x1b'), '\r\n+CME ERROR: 3\r\n');
  });

  it('collects exactly N binary bytes after @, all 256 values', async () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    assert.equal(await h.send('AT+XBIN=256\r'), '\r\n@');
    const out = await h.send(all);
    assert.equal(out, '\r\n+XBIN: 256\r\n\r\nOK\r\n');
    assert.deepEqual(promptData, all);
  });

  it('aborts binary input when the guard timer expires and discards it', async () => {
    promptData = undefined;
    assert.equal(await h.send('AT+XBIN=10\r'), '\r\n@');
    assert.equal(await h.send('abc'), '');
    assert.equal(await h.advance(19999), '');
    assert.equal(await h.advance(1), '\r\n+CME ERROR: 1910\r\n');
    assert.equal(promptData, undefined);
    assert.equal(await h.send('AT\r'), '\r\nOK\r\n', 'the module is back in command mode');
  });

  it('streams binary input to a sink as it arrives, exactly N bytes, the rest is a command', async () => {
    assert.equal(await h.send('AT+XSINK=6\r'), '\r\n>');
    assert.equal(await h.send('abc'), '');
    assert.equal(await h.send('defAT\r'), '\r\n+XSINK: 0,2\r\n\r\nOK\r\n\r\nOK\r\n');
    assert.deepEqual(Buffer.concat(sinkChunks).toString(), 'abcdef');
    assert.equal(await h.send('AT+XSINK=6\r'), '\r\n>');
    assert.equal(await h.send('abcd'), '');
    await h.advance(19999);
    assert.equal(await h.advance(1), '\r\n+CME ERROR: 1649\r\n');
    assert.equal(sinkReceived, 4, 'a timeout reports the bytes streamed');
  });

  it('passes every byte in online mode and leaves on +++ with guard times', async () => {
    assert.equal(await h.send('AT+XONLINE\r'), '\r\nCONNECT\r\n');
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    h.take();
    h.terminal.input(all);
    await settle();
    assert.deepEqual(h.output, all, 'echoed back untouched');
    h.take();
    // '+++' inside data is data.
    h.terminal.input(Buffer.from('a+++b'));
    await settle();
    assert.equal(h.take(), 'a+++b');
    await h.advance(1000);
    h.terminal.input(Buffer.from('+++'));
    await settle();
    assert.equal(h.take(), '', 'nothing leaves before the trailing guard time');
    assert.equal(await h.advance(1000), '\r\nOK\r\n');
    assert.equal(await h.send('AT\r'), '\r\nOK\r\n');
    assert.ok(pipe.all().includes(Buffer.from('a+++b')));
    assert.ok(!pipe.all().toString('latin1').endsWith('+++'), 'the escape is not sent to the peer');
  });

  it('does not escape when +++ is followed by data within the guard time', async () => {
    assert.equal(await h.send('AT+XONLINE\r'), '\r\nCONNECT\r\n');
    await h.advance(1000);
    h.terminal.input(Buffer.from('+++'));
    await h.advance(500);
    h.terminal.input(Buffer.from('x'));
    await settle();
    assert.equal(h.take(), '+++x');
    await h.advance(2000);
    assert.equal(h.take(), '');
    assert.ok(h.terminal.isOnline());
    pipe.sink?.close();
    await settle();
    assert.equal(h.take(), '\r\nNO CARRIER\r\n');
    assert.equal(await h.send('AT\r'), '\r\nOK\r\n');
  });

  it('lets a pipe end its job on +++: busy until its result, input typed meanwhile waits', async () => {
    assert.equal(await h.send('AT+XJOB\r'), '\r\nCONNECT\r\n');
    h.terminal.input(Buffer.from('payload'));
    await h.advance(1000);
    h.terminal.input(Buffer.from('+++'));
    assert.equal(await h.advance(1000), '', 'no OK: the pipe owns the result');
    assert.ok(!h.terminal.isOnline());
    assert.equal(await h.send('AT\r'), '', 'a command typed now waits for the result');
    finishJob!();
    await settle();
    assert.equal(h.take(), '\r\nNO CARRIER\r\n\r\nOK\r\n');
    assert.equal(Buffer.concat(jobBytes).toString(), 'payload');
  });

  it('uses the S12 guard time', async () => {
    assert.equal(await h.send('ATS12=10\r'), '\r\nOK\r\n');
    assert.equal(await h.send('AT+XONLINE\r'), '\r\nCONNECT\r\n');
    await h.advance(200);
    h.terminal.input(Buffer.from('+++'));
    assert.equal(await h.advance(200), '\r\nOK\r\n');
    assert.equal(await h.send('ATS12=50\r'), '\r\nOK\r\n');
  });
});
