import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '@modemlab/at';
import { cme } from './failure.js';
import { PROMPT_MAX_BYTES, URC_QUEUE_MAX } from './terminal-host.js';
import { ModuleHarness } from '../testing/harness.js';
import { UART_LIMITS } from '../models/uart-limits.js';

/** A module with test commands: +XHOLD runs until released, +XTEXT is a text prompt with no limits of its own. */
async function harness(logs: string[]): Promise<{ h: ModuleHarness; release(): void }> {
  const h = await ModuleHarness.create({ clock: new ManualClock(0), log: (m) => logs.push(m) });
  let release: () => void = () => {};
  h.module.registry.add({
    name: '+XHOLD',
    action: () => new Promise<void>((r) => (release = r)),
  });
  h.module.registry.add({
    name: '+XTEXT',
    async action(ctx) {
      const r = await ctx.prompt({ kind: 'text' });
      if (r.status === 'timeout') throw cme(100);
      if (r.status !== 'done') throw cme(3);
      ctx.info(`+XTEXT: ${r.data.length}`);
    },
  });
  await h.send('ATE0\r');
  return { h, release: () => release() };
}

describe('terminal bounds', () => {
  it('input while a command runs is held up to the input buffer; the rest is dropped and logged', async () => {
    const logs: string[] = [];
    const { h, release } = await harness(logs);
    try {
      await h.send('AT+XHOLD\r');
      const flood = Buffer.alloc(1024 * 1024, 'A'.charCodeAt(0));
      await h.send(flood);
      await h.send(Buffer.from('\r'));
      const held = UART_LIMITS.inputBufferBytes;
      assert.equal(h.terminal.droppedInputBytes, flood.length + 1 - held);
      assert.ok(logs.some((l) => /input buffer full/.test(l)), logs.join('\n'));
      release();
      // OK for +XHOLD, then the held bytes (a line of A's too long for a command) are refused.
      assert.equal(await h.send(''), '\r\nOK\r\n');
      assert.ok(logs.some((l) => l.includes(`dropped ${flood.length + 1 - held} bytes`)), logs.join('\n'));
      // The held A's (their CR was dropped) end at the next CR as a line too long; then AT works.
      assert.equal(await h.send('\rAT\r'), '\r\nERROR\r\n\r\nOK\r\n');
    } finally {
      await h.close();
    }
  });

  it('URCs raised while a command runs wait in a bounded queue: the oldest beyond URC_QUEUE_MAX are dropped and logged', async () => {
    const logs: string[] = [];
    const { h, release } = await harness(logs);
    try {
      await h.send('AT+XHOLD\r');
      for (let i = 0; i < URC_QUEUE_MAX + 100; i++) h.module.urc(`+XURC: ${i}`);
      release();
      const out = await h.send('');
      const urcs = out.match(/\+XURC: \d+/g) ?? [];
      assert.equal(urcs.length, URC_QUEUE_MAX);
      assert.equal(urcs[0], '+XURC: 100');
      assert.equal(urcs.at(-1), `+XURC: ${URC_QUEUE_MAX + 99}`);
      assert.ok(out.startsWith('\r\nOK\r\n'), 'the final result first, then the URCs');
      assert.ok(logs.some((l) => l.includes(`dropped 100 URCs`)), logs.join('\n'));
    } finally {
      await h.close();
    }
  });

  it('a text prompt the host falls silent at ends with the command error after promptIdleMs; the port is back in command mode', async () => {
    const logs: string[] = [];
    const { h } = await harness(logs);
    try {
      await h.send('AT+CMEE=1\r');
      assert.match(await h.send('AT+XTEXT\r'), />/);
      await h.send('-----BEGIN CERT');
      await h.advance(UART_LIMITS.promptIdleMs - 1);
      // Each byte restarts the limit: it measures silence.
      await h.send('IFICATE-----');
      assert.equal(await h.advance(UART_LIMITS.promptIdleMs - 1), '');
      assert.equal(await h.advance(1), '\r\n+CME ERROR: 100\r\n');
      assert.equal(await h.send('AT\r'), '\r\nOK\r\n');
    } finally {
      await h.close();
    }
  });

  it('a text prompt keeps at most promptMaxBytes; more is dropped, not accumulated', async () => {
    const logs: string[] = [];
    const { h } = await harness(logs);
    try {
      await h.send('AT+XTEXT\r');
      await h.send(Buffer.alloc(PROMPT_MAX_BYTES * 3, 'x'.charCodeAt(0)));
      assert.equal(await h.send('\x1a'), `\r\n+XTEXT: ${PROMPT_MAX_BYTES}\r\n\r\nOK\r\n`);
    } finally {
      await h.close();
    }
  });
});
