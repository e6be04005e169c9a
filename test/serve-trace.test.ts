import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { decodeTrace, type TraceChunk } from '@modemlab/at';
import { expectationPattern, parseTranscript } from '../packages/module/src/testing/transcript.js';
import { loadModuleApi } from '../packages/cli/src/module-api.js';
import { main } from '../packages/cli/src/program.js';
import { AtClient, openMux } from '@modemlab/sdk';
import { startServe } from '../packages/cli/src/serve.js';

const transcripts = new URL('./transcripts/', import.meta.url).pathname;

/** Waits for expected text at the start of what the socket has sent, as the transcript runner does; no sleeps. */
class Output {
  private buffer = '';
  private wake?: () => void;

  constructor(socket: Socket) {
    socket.on('data', (b: Buffer) => {
      this.buffer += b.toString('latin1');
      this.wake?.();
    });
  }

  async expect(text: string): Promise<void> {
    const pattern = expectationPattern(text);
    for (;;) {
      const m = pattern.exec(this.buffer);
      if (m) {
        this.buffer = this.buffer.slice(m[0].length);
        return;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

/** Plays a transcript (sends and expectations only) over TCP against a served module. */
async function play(source: string, port: number): Promise<void> {
  const socket = connect(port, '127.0.0.1');
  await once(socket, 'connect');
  const out = new Output(socket);
  for (const step of parseTranscript(source).steps) {
    if (step.kind === 'send') socket.write(step.bytes);
    else if (step.kind === 'expect') await out.expect(step.text);
    else if (step.kind !== 'echo') throw new Error(`step ${step.kind} is not played here`);
  }
  socket.end();
  await once(socket, 'close');
}

/** The command, response and URC lines of a transcript, as written. */
const conversationOf = (source: string): string[] => source.split('\n').filter((l) => /^[<>!] /.test(l));

/** `modemlab trace FILE`, its lines without the time and port columns. */
async function prettyOf(file: string, ...args: string[]): Promise<{ code: number; lines: string[]; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['node', 'modemlab', 'trace', file, ...args], { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, err, lines: out.split('\n').filter((l) => l !== '') };
}
const body = (lines: string[]): string[] => lines.filter((l) => !l.startsWith('---')).map((l) => l.replace(/^\s*\d+\.\d{3}\s+\S+\s+/, ''));

describe('modemlab serve --trace, then modemlab trace', { timeout: 60_000 }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'modemlab-serve-trace-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of ['seed002-usecmng-thawte.txt', 'seed002-usecprf-examples.txt']) {
    it(`the trace of ${name} reads like the seed`, async () => {
      const source = readFileSync(join(transcripts, name), 'utf8');
      const file = join(dir, `${name}.trace`);
      // The product the transcript names (the Thawte example is a SARA-R4 print).
      const model = /^@model (\S+)/m.exec(source)?.[1] ?? 'sara-r5';
      let port = 0;
      const served = await startServe(
        await loadModuleApi(),
        { model, tcp: { host: '127.0.0.1', port: 0 }, state: join(dir, name), hosts: {}, count: 1, trace: file },
        (line) => (port = Number(/tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(line)?.[1] ?? port)),
      );
      try {
        await play(source, port);
      } finally {
        await served.close();
      }
      const { code, lines, err } = await prettyOf(file);
      assert.equal(code, 0, err);
      const shown = body(lines).filter((l) => /^[<>!] /.test(l));
      assert.deepEqual(shown, conversationOf(source));
      // Every chunk of one connection carries the same port and the wire level.
      const chunks = decodeTrace(readFileSync(file, 'utf8')).filter((l): l is TraceChunk => l.kind === 'chunk');
      assert.ok(chunks.length > 0);
      assert.deepEqual([...new Set(chunks.map((c) => `${c.port} ${c.layer}`))], [`${chunks[0]!.port} ${chunks[0]!.port}`]);
      assert.match(chunks[0]!.port, /^tcp:127\.0\.0\.1:\d+$/, 'the port names the TCP client');
    });
  }

  it('decodes CMUX: frames on the port, each channel its own conversation, plain AT again after the close-down', async () => {
    const file = join(dir, 'cmux.trace');
    let port = 0;
    const served = await startServe(
      await loadModuleApi(),
      { model: 'sara-r5', tcp: { host: '127.0.0.1', port: 0 }, state: join(dir, 'cmux'), hosts: {}, count: 1, trace: file },
      (line) => (port = Number(/tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(line)?.[1] ?? port)),
    );
    try {
      const socket = connect(port, '127.0.0.1');
      await once(socket, 'connect');
      const mux = await openMux(socket, { channels: 2 });
      const [one, two] = mux.channels.map((c) => new AtClient(c, { defaultTimeoutMs: 5_000 }));
      await one!.send('AT+CGMI');
      await two!.send('AT+CGMM');
      await mux.host.close();
      const plain = new AtClient(socket, { defaultTimeoutMs: 5_000 });
      assert.equal((await plain.send('AT')).final, 'OK');
      await plain.close();
    } finally {
      await served.close();
    }
    const { code, lines, err } = await prettyOf(file);
    assert.equal(code, 0, err);
    const shown = lines.filter((l) => !l.startsWith('---')).map((l) => l.replace(/^\s*\d+\.\d{3}\s+/, '').replace(/\s+/, ' ').replace(/^tcp:127\.0\.0\.1:\d+/, 'PORT'));
    const expected = [
      'PORT > AT+CMUX=0',
      'PORT < OK',
      'PORT > [cmux] SABM dlci 0',
      'PORT < [cmux] UA dlci 0',
      'PORT > [cmux] SABM dlci 1',
      'PORT < [cmux] UA dlci 1',
      'PORT > [cmux] SABM dlci 2',
      'PORT < [cmux] UA dlci 2',
      'PORT/dlci1 > AT+CGMI',
      'PORT/dlci1 < u-blox',
      'PORT/dlci1 < OK',
      'PORT/dlci2 > AT+CGMM',
      'PORT/dlci2 < SARA-R510M8S',
      'PORT/dlci2 < OK',
      'PORT > [cmux] CLD command',
      'PORT < [cmux] CLD response',
      'PORT > AT',
      'PORT < OK',
    ];
    // In this order, with other lines (MSC, ...) between them.
    let at = 0;
    for (const line of shown) if (line === expected[at]) at++;
    assert.equal(at, expected.length, `missing ${JSON.stringify(expected[at])} in\n${shown.join('\n')}`);
    assert.ok(!shown.some((l) => l.includes('dropped')), shown.join('\n'));
  });

  it('e2e: the modemlab process appends to the file and flushes it on SIGTERM', async () => {
    const file = join(dir, 'e2e.trace');
    const root = new URL('../', import.meta.url).pathname;
    for (const run of [1, 2]) {
      const child = spawn(process.execPath, [join(root, 'packages/cli/bin/modemlab.js'), 'serve', '--tcp', '127.0.0.1:0', '--state', join(dir, 'e2e'), '--trace', file], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      const exited = once(child, 'exit');
      try {
        const port = await new Promise<number>((resolve, reject) => {
          let out = '';
          child.stdout.on('data', (c: Buffer) => {
            out += c.toString();
            const m = /listening on tcp:\/\/127\.0\.0\.1:(\d+)$/m.exec(out);
            if (m) resolve(Number(m[1]));
          });
          child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
        });
        await play(`> AT+CGMI\n< u-blox\n< OK\n> ATI${run}\n`, port);
        child.kill('SIGTERM');
        const [code] = await exited;
        assert.equal(code, 0, stderr);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    }
    const { code, lines, err } = await prettyOf(file);
    assert.equal(code, 0, err);
    assert.equal(lines.filter((l) => l.startsWith('--- trace started')).length, 2, 'two runs, two sessions in one file');
    assert.deepEqual(body(lines).filter((l) => l.startsWith('>')), ['> AT+CGMI', '> ATI1', '> AT+CGMI', '> ATI2']);
  });
});
