/**
 * The module side of 27.010 CMUX, frame by frame: +CMUX answers in clear, then the port
 * speaks frames. Frames the host sends are built with the codec (or written as hex where
 * the bytes themselves are the point); what the module sends is decoded and checked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CmuxDecoder, decodeControl, encodeControl, encodeFrame, encodeMsc, type CmuxFrame, type FrameTypeName } from '@modemlab/at';
import { ModuleHarness } from '../packages/module/src/testing/harness.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
/** A frame from the host (the initiator: commands C/R=1, responses C/R=0). */
const frame = (dlci: number, type: FrameTypeName, data: Buffer | string = Buffer.alloc(0)): Buffer =>
  encodeFrame({ dlci, type, cr: type !== 'UA' && type !== 'DM', pf: type !== 'UIH', data: typeof data === 'string' ? Buffer.from(data, 'latin1') : data });
const uih = (dlci: number, text: string | Buffer): Buffer => frame(dlci, 'UIH', text);
const control = (payload: Buffer): Buffer => frame(0, 'UIH', payload);

function decode(out: string): CmuxFrame[] {
  const frames: CmuxFrame[] = [];
  const d = new CmuxDecoder((f) => frames.push(f));
  d.push(Buffer.from(out, 'latin1'));
  assert.equal(d.buffered <= 1 ? 0 : d.buffered, 0, `no partial frame left: ${JSON.stringify(out)}`);
  return frames;
}
/** What the module sent on `dlci`, as text. */
const textOn = (frames: CmuxFrame[], dlci: number): string =>
  Buffer.concat(frames.filter((f) => f.dlci === dlci && f.type === 'UIH').map((f) => f.data)).toString('latin1');
const summary = (frames: CmuxFrame[]): string[] => frames.map((f) => `${f.type}${f.dlci}`);

/** A SARA-R5 in CMUX mode with DLCI 0 and 1 open, echo off on DLCI 1; logs collected. */
async function muxed(model = 'sara-r5'): Promise<{ h: ModuleHarness; logs: string[] }> {
  const logs: string[] = [];
  const h = await ModuleHarness.create({ model, log: (m: string) => logs.push(m) });
  await h.send('ATE0\r');
  assert.equal(await h.send('AT+CMUX=0\r'), '\r\nOK\r\n');
  assert.deepEqual(hex(Buffer.from(await h.send(frame(0, 'SABM')), 'latin1').toString('hex')), hex('f9037301d7f9'));
  assert.deepEqual(summary(decode(await h.send(frame(1, 'SABM')))), ['UA1', 'UIH0']);
  return { h, logs };
}

describe('CMUX on the module', () => {
  it('answers +CMUX in clear, then UA to SABM on DLCI 0 and 1 with the bytes real modules send', async () => {
    const h = await ModuleHarness.create({ model: 'sara-r5' });
    try {
      assert.equal(await h.send('AT+CMUX=0\r'), 'AT+CMUX=0\r\r\nOK\r\n');
      assert.equal(Buffer.from(await h.send(hex('f9033f011cf9')), 'latin1').toString('hex'), 'f9037301d7f9');
      // UA, then the module's MSC for DLCI 1: RTC, RTR and DV set, FC clear.
      const opened = Buffer.from(await h.send(hex('f9073f01def9')), 'latin1');
      assert.equal(opened.subarray(0, 6).toString('hex'), 'f907730115f9');
      const [msc] = decodeControl(decode(opened.subarray(6).toString('latin1'))[0]!.data);
      assert.deepEqual([msc!.type, msc!.command, msc!.value.toString('hex')], ['MSC', true, '078d']);
    } finally {
      await h.close();
    }
  });

  it('runs AT commands on DLCI 1 in UIH frames, with the settings of the terminal that ran +CMUX', async () => {
    const { h } = await muxed();
    try {
      const frames = decode(await h.send(uih(1, 'AT+CGMI\r')));
      assert.equal(textOn(frames, 1), '\r\nu-blox\r\n\r\nOK\r\n');
      // The module is the responder: its UIH frames carry C/R=0.
      assert.ok(frames.every((f) => f.type === 'UIH' && !f.cr));
    } finally {
      await h.close();
    }
  });

  it('opens a new AT terminal with its own settings for each further DLCI', async () => {
    const { h } = await muxed();
    try {
      assert.deepEqual(summary(decode(await h.send(frame(2, 'SABM')))), ['UA2', 'UIH0']);
      // DLCI 2 starts with the power-on settings (echo on); DLCI 1 keeps echo off.
      assert.equal(textOn(decode(await h.send(uih(2, 'AT\r'))), 2), 'AT\r\r\nOK\r\n');
      assert.equal(textOn(decode(await h.send(uih(1, 'AT\r'))), 1), '\r\nOK\r\n');
      assert.equal(textOn(decode(await h.send(uih(2, 'AT+CMEE=2\r'))), 2), 'AT+CMEE=2\r\r\nOK\r\n');
      assert.equal(textOn(decode(await h.send(uih(2, 'AT+CMEE?\r'))), 2), 'AT+CMEE?\r\r\n+CMEE: 2\r\n\r\nOK\r\n');
      assert.equal(textOn(decode(await h.send(uih(1, 'AT+CMEE?\r'))), 1), '\r\n+CMEE: 0\r\n\r\nOK\r\n');
      // A command line split over several frames is one line.
      const split = decode(await h.send(Buffer.concat([uih(1, 'AT+C'), uih(1, 'GMM\r')])));
      assert.equal(textOn(split, 1), `\r\n${h.module.model.identity.model}\r\n\r\nOK\r\n`);
    } finally {
      await h.close();
    }
  });

  it('refuses channels beyond the mux table, and channels before DLCI 0, with DM', async () => {
    const { h } = await muxed();
    try {
      assert.deepEqual(summary(decode(await h.send(frame(6, 'SABM')))), ['DM6']);
    } finally {
      await h.close();
    }
    const fresh = await ModuleHarness.create({ model: 'sara-r5' });
    try {
      await fresh.send('AT+CMUX=0\r');
      assert.deepEqual(summary(decode(await fresh.send(frame(1, 'SABM')))), ['DM1']);
    } finally {
      await fresh.close();
    }
  });

  it('answers MSC, Test and PSC, and NSC to a command it does not know', async () => {
    const { h } = await muxed();
    try {
      const msc = encodeMsc({ dlci: 1, signals: { fc: false, rtc: true, rtr: true, ic: false, dv: true } });
      const replies = decode(await h.send(Buffer.concat([control(encodeControl('MSC', true, msc)), control(encodeControl('TEST', true, Buffer.from('ping'))), control(encodeControl('PSC', true)), control(hex('0701'))])));
      const messages = replies.flatMap((f) => decodeControl(f.data));
      assert.deepEqual(
        messages.map((m) => [m.type, m.command, m.value.toString('hex')]),
        [
          ['MSC', false, msc.toString('hex')],
          ['TEST', false, Buffer.from('ping').toString('hex')],
          ['PSC', false, ''],
          ['NSC', false, '07'],
        ],
      );
    } finally {
      await h.close();
    }
  });

  it('holds a channel’s output while the host’s MSC says flow control, and sends it after', async () => {
    const { h } = await muxed();
    try {
      const stop = encodeMsc({ dlci: 1, signals: { fc: true, rtc: true, rtr: true, ic: false, dv: true } });
      const go = encodeMsc({ dlci: 1, signals: { fc: false, rtc: true, rtr: true, ic: false, dv: true } });
      await h.send(control(encodeControl('MSC', true, stop)));
      assert.equal(await h.send(uih(1, 'AT\r')), '');
      const after = decode(await h.send(control(encodeControl('MSC', true, go))));
      assert.equal(textOn(after, 1), '\r\nOK\r\n');
    } finally {
      await h.close();
    }
  });

  it('keeps at most 64 KiB of a held channel\'s output, dropping the oldest and logging it', async () => {
    const { h, logs } = await muxed();
    try {
      const stop = encodeMsc({ dlci: 1, signals: { fc: true, rtc: true, rtr: true, ic: false, dv: true } });
      const go = encodeMsc({ dlci: 1, signals: { fc: false, rtc: true, rtr: true, ic: false, dv: true } });
      await h.send(control(encodeControl('MSC', true, stop)));
      // ATI9 answers "\r\n<version>\r\n\r\nOK\r\n" (about 25 bytes): 4000 of them exceed 64 KiB.
      const batch = Buffer.concat(Array.from({ length: 100 }, () => uih(1, 'ATI9\r')));
      for (let i = 0; i < 40; i++) await h.send(batch);
      assert.ok(logs.some((l) => /DLCI 1 output dropped/.test(l)), 'the drop is logged');
      const after = textOn(decode(await h.send(control(encodeControl('MSC', true, go)))), 1);
      assert.ok(after.length <= 64 * 1024 && after.length > 60 * 1024, `held ${after.length} bytes`);
      assert.match(after, /\r\nOK\r\n$/);
    } finally {
      await h.close();
    }
  });

  it('drops and counts bad frames and frames for closed DLCIs, and keeps working', async () => {
    const { h, logs } = await muxed();
    try {
      const good = uih(1, 'AT\r');
      const badFcs = Buffer.from(good);
      badFcs[badFcs.length - 2] ^= 0xff;
      const truncated = good.subarray(0, good.length - 3);
      const oversize = uih(1, 'A'.repeat(40)); // N1 is 31
      const closedDlci = uih(3, 'AT\r');
      const badControl = control(hex('e30507')); // MSC announcing 2 value octets, carrying 1
      assert.equal(await h.send(Buffer.concat([badFcs, truncated, oversize, closedDlci, badControl])), '');
      assert.ok(logs.some((l) => /dropped a frame \(fcs\)/.test(l)), logs.join('\n'));
      assert.ok(logs.some((l) => /dropped a frame \(truncated\)/.test(l)), logs.join('\n'));
      assert.ok(logs.some((l) => /dropped a frame \(oversize\)/.test(l)), logs.join('\n'));
      assert.ok(logs.some((l) => /DLCI 3, which is not open/.test(l)), logs.join('\n'));
      assert.ok(logs.some((l) => /undecodable control message/.test(l)), logs.join('\n'));
      assert.equal(textOn(decode(await h.send(good)), 1), '\r\nOK\r\n');
    } finally {
      await h.close();
    }
  });

  it('survives random bytes in mux mode and resynchronises on the next frames', async () => {
    const { h } = await muxed();
    try {
      let seed = 12345;
      const next = (): number => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
      for (let round = 0; round < 20; round++) {
        const noise = Buffer.alloc(500);
        for (let i = 0; i < noise.length; i++) noise[i] = next() % 10 === 0 ? 0xf9 : next();
        await h.send(noise);
      }
      // Enough flags to finish any frame the noise opened, then a clean command.
      await h.send(Buffer.alloc(64, 0xf9));
      assert.match(textOn(decode(await h.send(uih(1, '\rAT\r'))), 1), /\r\nOK\r\n$/);
    } finally {
      await h.close();
    }
  });

  it('DISC closes a channel (UA), a new SABM resumes it', async () => {
    const { h, logs } = await muxed();
    try {
      assert.deepEqual(summary(decode(await h.send(frame(1, 'DISC')))), ['UA1']);
      assert.equal(await h.send(uih(1, 'AT\r')), '');
      assert.ok(logs.some((l) => /DLCI 1, which is not open/.test(l)));
      assert.deepEqual(summary(decode(await h.send(frame(1, 'SABM')))), ['UA1', 'UIH0']);
      assert.equal(textOn(decode(await h.send(uih(1, 'AT\r'))), 1), '\r\nOK\r\n');
    } finally {
      await h.close();
    }
  });

  for (const [name, closer, reply] of [
    ['CLD', control(encodeControl('CLD', true)), 'c101'],
    ['DISC on DLCI 0', frame(0, 'DISC'), undefined],
  ] as const) {
    it(`${name} closes the mux: the port speaks plain AT again to the first terminal`, async () => {
      const { h } = await muxed();
      try {
        await h.send(frame(2, 'SABM'));
        const frames = decode(await h.send(closer));
        if (reply) assert.equal(frames[0]!.data.toString('hex'), reply);
        else assert.deepEqual(summary(frames), ['UA0']);
        assert.equal(await h.send('AT+CGMI\r'), '\r\nu-blox\r\n\r\nOK\r\n');
        // And +CMUX can start it again.
        assert.equal(await h.send('AT+CMUX=0\r'), '\r\nOK\r\n');
      } finally {
        await h.close();
      }
    });
  }

  it('hands bytes sent right behind a CLD, in the same chunk, to the terminal as plain AT', async () => {
    const { h } = await muxed();
    try {
      const out = Buffer.from(await h.send(Buffer.concat([control(encodeControl('CLD', true)), Buffer.from('AT+CGMI\r')])), 'latin1');
      const cldResponse = encodeFrame({ dlci: 0, type: 'UIH', cr: false, pf: false, data: encodeControl('CLD', false) });
      assert.equal(out.subarray(0, cldResponse.length).toString('hex'), cldResponse.toString('hex'));
      assert.equal(out.subarray(cldResponse.length).toString('latin1'), '\r\nu-blox\r\n\r\nOK\r\n');
    } finally {
      await h.close();
    }
  });

  it('+CMUX: test, read, bad parameters and use during multiplexing', async () => {
    const h = await ModuleHarness.create({ model: 'sara-r5' });
    try {
      await h.send('ATE0\r');
      await h.send('AT+CMEE=1\r');
      assert.equal(await h.send('AT+CMUX=?\r'), '\r\n+CMUX: (0),(0),,(1-1509),(1-255),(0-5),(2-255),,\r\n\r\nOK\r\n');
      assert.equal(await h.send('AT+CMUX?\r'), '\r\n+CME ERROR: 3\r\n');
      assert.equal(await h.send('AT+CMUX=1\r'), '\r\n+CME ERROR: 50\r\n');
      assert.equal(await h.send('AT+CMUX=0,0,,2000\r'), '\r\n+CME ERROR: 50\r\n');
      assert.equal(await h.send('AT+CMUX=0,0,,1500,50,3,90\r'), '\r\nOK\r\n');
      await h.send(frame(0, 'SABM'));
      await h.send(frame(1, 'SABM'));
      assert.equal(textOn(decode(await h.send(uih(1, 'AT+CMUX?\r'))), 1), '\r\n+CMUX: 0,0,0,1500,253,3,254,0,0\r\n\r\nOK\r\n');
      assert.equal(textOn(decode(await h.send(uih(1, 'AT+CMUX=0\r'))), 1), '\r\n+CME ERROR: 3\r\n');
      // A further channel runs inside the mux too: no nested multiplexer there either.
      await h.send(frame(2, 'SABM'));
      assert.equal(textOn(decode(await h.send(uih(2, 'ATE0+CMEE=1\r'))), 2), 'ATE0+CMEE=1\r\r\nOK\r\n');
      assert.equal(textOn(decode(await h.send(uih(2, 'AT+CMUX=0\r'))), 2), '\r\n+CME ERROR: 3\r\n');
    } finally {
      await h.close();
    }
  });

  it('is there on the Telit GE910 (four channels) and not on the Quectel BC66', async () => {
    const { h } = await muxed('ge910');
    try {
      assert.deepEqual(summary(decode(await h.send(frame(4, 'SABM')))), ['UA4', 'UIH0']);
      assert.deepEqual(summary(decode(await h.send(frame(5, 'SABM')))), ['DM5']);
      assert.equal(textOn(decode(await h.send(uih(4, 'AT+CGMI\r'))), 4), 'AT+CGMI\r\r\nTelit\r\n\r\nOK\r\n');
    } finally {
      await h.close();
    }
    const bc66 = await ModuleHarness.create({ model: 'bc66' });
    try {
      await bc66.send('ATE0\r');
      assert.equal(await bc66.send('AT+CMUX=0\r'), '\r\nERROR\r\n');
    } finally {
      await bc66.close();
    }
  });
});
