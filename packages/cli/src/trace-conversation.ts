/**
 * Reads one AT conversation (one port, or one CMUX channel) back from its trace chunks:
 * what the host sent becomes command lines and data runs, what the module answered becomes
 * responses, final result codes, prompts, URCs and data runs. Marks follow the transcript
 * format (test/transcripts): `>` command, `<` response or final result or prompt,
 * `!` URC, `>>` / `<<` data the host / the module sent outside command lines.
 *
 * How a module line is told apart (the trace has no other knowledge than the bytes):
 * - the echo of the pending command line is dropped;
 * - OK, ERROR, +CME/+CMS ERROR, CONNECT..., NO CARRIER, BUSY, NO ANSWER, NO DIALTONE,
 *   ABORTED end the pending command; CONNECT starts online data mode;
 * - while a command is pending, a line is a response, unless it carries a `+NAME:`/`#NAME:`
 *   prefix that names none of the command line's commands: then it is a URC;
 * - with no command pending, every line is a URC.
 * Data inside a response line whose length precedes it (+URDFILE, +URDBLOCK, +USORD,
 * +USORF) and after a #SSLRECV line is read by count, so its line ends split nothing.
 * Data mode ends with NO CARRIER, or with OK after the host's `+++`. A prompt (`>` or `@`
 * alone at the start of a line, the last thing the module sent) makes the host's next bytes
 * data; the module's echo of them is dropped.
 */
import { escapeBytes } from '@modemlab/at';
import { C2cFrameReader } from './trace-c2c.js';

export type ConversationMark = '>' | '<' | '!' | '>>' | '<<';

export interface ConversationEvent {
  /** Time (ms) of the chunk that completed the event. */
  time: number;
  mark: ConversationMark;
  text: string;
}

const FINAL_RESULT = /^(?:OK|ERROR|NO CARRIER|BUSY|NO ANSWER|NO DIALTONE|ABORTED|CONNECT(?: .*)?|\+CM[ES] ERROR: .*)$/;
const NO_CARRIER = Buffer.from('\r\nNO CARRIER\r\n', 'latin1');
const ESCAPE_OK = Buffer.from('\r\nOK\r\n', 'latin1');
const ESCAPE = Buffer.from('+++', 'latin1');
const CTRL_Z = 0x1a;
const ESC = 0x1b;
/**
 * Responses that carry raw data inside quotes, its length given just before them (u-blox
 * +URDFILE, +URDBLOCK, +USORD, +USORF): the data may hold line ends, so it is read by count.
 */
const DATA_IN_LINE = [/^\+URDFILE: "[^"]*",(\d+),"$/, /^\+URDBLOCK: "[^"]*",(\d+),"$/, /^\+USORD: ?\d+,(\d+),"$/, /^\+USORF: ?\d+,"[^"]*",\d+,(\d+),"$/];
/** Responses followed, after their line end, by that many raw bytes (Telit #SSLRECV). */
const DATA_AFTER_LINE = [/^#SSLRECV: ?(\d+)$/];
const lengthBy = (patterns: RegExp[], line: string): number | undefined => {
  for (const p of patterns) {
    const m = p.exec(line);
    if (m) return Number(m[1]);
  }
  return undefined;
};

/** Data runs up to this size that are printable text are shown; longer ones are summarised. */
const SHOWN_DATA_MAX = 80;

/** 1 for the bytes of text: printable ASCII, TAB, CR, LF, and Ctrl-Z and ESC (they end prompt text). */
const TEXT_BYTE = new Uint8Array(256).map((_, b) => ((b >= 0x20 && b < 0x7f) || [0x09, 0x0a, 0x0d, CTRL_Z, ESC].includes(b) ? 1 : 0));

/** `… 4096 bytes binary …`, or the escaped text of a short printable run. */
export function describeData(bytes: Buffer): string {
  let text = 0;
  for (const b of bytes) text += TEXT_BYTE[b]!;
  if (text === bytes.length && bytes.length <= SHOWN_DATA_MAX) return escapeBytes(bytes);
  const kind = text === bytes.length ? 'text' : 'binary';
  return `… ${bytes.length} byte${bytes.length === 1 ? '' : 's'} ${kind} …`;
}

/** The extended command names of a command line: `AT+CGMI;+CGMM` -> ['+CGMI', '+CGMM']. */
export function commandNames(line: string): string[] {
  const names: string[] = [];
  const body = line.replace(/"[^"]*"/g, '""');
  for (const m of body.matchAll(/[+#$%^*]([A-Za-z0-9_.!\-]+)/g)) names.push((m[0][0] + m[1]!).toUpperCase());
  return names;
}

type Mode = 'command' | 'prompt' | 'online' | 'mux' | 'c2c';

/** Bytes of a port after AT+CMUX=... answered OK: 27.010 frames for the trace-mux reader. */
export type MuxSink = (dir: 'to-module' | 'from-module', bytes: Buffer, time: number) => void;

/** The set form of +CMUX (not its test or read form) starts the multiplexer once answered OK. */
const CMUX_SET = /\+CMUX=(?!\?)/i;
/** u-blox +USECC2C: `=1` opens a C2C session once answered OK (in clear); `=2`/`=3` close it (answered framed). */
const C2C_OPEN = /\+USECC2C=1(?:,|;|$)/i;
const C2C_CLOSE = /\+USECC2C=[23](?:,|;|$)/i;

interface DataRun {
  mark: '>>' | '<<';
  chunks: Buffer[];
  length: number;
  time: number;
}

export class Conversation {
  private mode: Mode = 'command';
  private hostLine = '';
  private moduleLine = '';
  /** Raw data read by count inside the current module line (shown at `at`), or after a line. */
  private inline: { left: number; data: number[] } | undefined;
  private inlineShown: { at: number; text: string } | undefined;
  private afterLine: { left: number; data: number[]; skipLf: boolean } | undefined;
  private pending: { line: string; names: string[]; echoSeen: boolean } | undefined;
  private run: DataRun | undefined;
  /** Prompt mode: the host's data, and how much of it the module has echoed. */
  private promptData: number[] = [];
  private echoed = 0;
  /** Online mode: the last bytes each way, to find NO CARRIER / +++ across chunks. */
  private moduleTail = Buffer.alloc(0);
  private hostTail = Buffer.alloc(0);

  /** Inside a C2C session: the wire's frames, and the plaintext's own conversation. */
  private c2c: { reader: C2cFrameReader; plain: Conversation } | undefined;

  constructor(
    private readonly emit: (e: ConversationEvent) => void,
    private readonly mux?: MuxSink,
    /** Told when this conversation (a C2C session's plaintext) closed its session. */
    private readonly onC2cClosed?: () => void,
  ) {}

  /** Whether a C2C session is open (wire bytes are frames, `c2cPlain` takes the plaintext). */
  get inC2c(): boolean {
    return this.mode === 'c2c';
  }

  /** Plaintext of the C2C session (the trace's `c2c` level); ignored outside a session. */
  c2cPlain(dir: 'to-module' | 'from-module', bytes: Buffer, time: number): void {
    if (!this.c2c) return;
    if (dir === 'to-module') this.c2c.plain.toModule(bytes, time);
    else this.c2c.plain.fromModule(bytes, time);
  }

  private startC2c(): void {
    this.mode = 'c2c';
    const plain = new Conversation(this.emit, undefined, () => reader.close());
    const reader = new C2cFrameReader({
      emit: this.emit,
      ended: (dir, rest, time) => {
        plain.flush(time);
        this.c2c = undefined;
        this.mode = 'command';
        if (dir === 'to-module') this.toModule(rest, time);
        else this.fromModule(rest, time);
      },
    });
    this.c2c = { reader, plain };
  }

  /** The multiplexer closed down: plain AT again. */
  endMux(): void {
    if (this.mode === 'mux') this.mode = 'command';
  }

  /** Bytes the host sent. */
  toModule(bytes: Buffer, time: number): void {
    if (this.mode === 'mux') return this.mux!('to-module', bytes, time);
    if (this.mode === 'c2c') return this.c2c!.reader.push('to-module', bytes, time);
    if (this.mode === 'command') return this.hostCommandBytes(bytes, time);
    if (this.mode === 'prompt') {
      for (const b of bytes) if (b !== CTRL_Z && b !== ESC) this.promptData.push(b);
    } else {
      this.hostTail = Buffer.concat([this.hostTail, bytes]).subarray(-ESCAPE.length);
    }
    this.addData('>>', bytes, time);
  }

  /** Bytes the module sent. */
  fromModule(bytes: Buffer, time: number): void {
    if (this.mode === 'mux') return this.mux!('from-module', bytes, time);
    if (this.mode === 'c2c') return this.c2c!.reader.push('from-module', bytes, time);
    if (this.mode === 'online') return this.moduleOnlineBytes(bytes, time);
    if (this.mode === 'prompt') bytes = this.dropPromptEcho(bytes);
    if (bytes.length > 0) this.moduleCommandBytes(bytes, time);
  }

  /** Emits what is still held (a data run, a line without its end). */
  flush(time: number): void {
    this.c2c?.plain.flush(time);
    this.flushRun();
    const cut = this.inline ?? this.afterLine;
    if (cut && cut.data.length > 0) {
      const partial = describeData(Buffer.from(cut.data));
      if (this.inline) this.inlineShown = { at: this.moduleLine.length, text: partial };
      else this.emit({ time, mark: '<<', text: partial });
    }
    this.inline = undefined;
    this.afterLine = undefined;
    if (this.hostLine !== '') this.emit({ time, mark: '>', text: escapeBytes(Buffer.from(this.hostLine, 'latin1')) });
    if (this.moduleLine !== '') this.moduleLineDone(this.moduleLine, time, this.inlineShown);
    this.inlineShown = undefined;
    this.hostLine = '';
    this.moduleLine = '';
  }

  private hostCommandBytes(bytes: Buffer, time: number): void {
    for (const b of bytes) {
      if (b === 0x0d) {
        const line = this.hostLine;
        this.hostLine = '';
        if (line === '') continue;
        this.emit({ time, mark: '>', text: escapeBytes(Buffer.from(line, 'latin1')) });
        this.pending = { line, names: commandNames(line), echoSeen: false };
      } else if (b === 0x0a && this.hostLine === '') {
        continue;
      } else {
        this.hostLine += String.fromCharCode(b);
      }
    }
  }

  private moduleCommandBytes(bytes: Buffer, time: number): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (this.inline) {
        this.inline.data.push(b);
        if (--this.inline.left === 0) {
          this.inlineShown = { at: this.moduleLine.length, text: describeData(Buffer.from(this.inline.data)) };
          this.inline = undefined;
        }
        continue;
      }
      if (this.afterLine) {
        const after = this.afterLine;
        if (after.skipLf && b === 0x0a) {
          after.skipLf = false;
          continue;
        }
        after.skipLf = false;
        after.data.push(b);
        if (--after.left === 0) {
          this.emit({ time, mark: '<<', text: describeData(Buffer.from(after.data)) });
          this.afterLine = undefined;
        }
        continue;
      }
      if (b !== 0x0d && b !== 0x0a) {
        this.moduleLine += String.fromCharCode(b);
        if (b === 0x22 && this.pending) {
          const length = lengthBy(DATA_IN_LINE, this.moduleLine);
          if (length) this.inline = { left: length, data: [] };
        }
        continue;
      }
      const line = this.moduleLine;
      const shown = this.inlineShown;
      this.moduleLine = '';
      this.inlineShown = undefined;
      if (line === '') continue;
      this.moduleLineDone(line, time, shown);
      if (this.pending) {
        const length = lengthBy(DATA_AFTER_LINE, line);
        if (length) this.afterLine = { left: length, data: [], skipLf: b === 0x0d };
      }
      if (this.mode === 'online' || this.mode === 'mux' || this.mode === 'c2c') {
        // After CONNECT what follows its line end is data; after +CMUX's or +USECC2C=1's OK, frames.
        let rest = i + 1;
        if (b === 0x0d && bytes[rest] === 0x0a) rest++;
        return this.fromModule(bytes.subarray(rest), time);
      }
    }
    // A prompt is not followed by a line end: it is the last thing the module sent.
    if (this.pending && /^[>@] ?$/.test(this.moduleLine)) {
      this.emit({ time, mark: '<', text: this.moduleLine.trim() });
      this.moduleLine = '';
      this.mode = 'prompt';
      this.promptData = [];
      this.echoed = 0;
    }
  }

  private moduleLineDone(line: string, time: number, shown?: { at: number; text: string }): void {
    const esc = (t: string): string => escapeBytes(Buffer.from(t, 'latin1'));
    const text = shown ? esc(line.slice(0, shown.at)) + shown.text + esc(line.slice(shown.at)) : esc(line);
    const pending = this.pending;
    if (pending && !pending.echoSeen && line.toUpperCase() === pending.line.toUpperCase()) {
      pending.echoSeen = true;
      return;
    }
    if (FINAL_RESULT.test(line)) {
      this.emit({ time, mark: '<', text });
      this.pending = undefined;
      if (line === 'OK' && this.mux && pending && CMUX_SET.test(pending.line)) this.mode = 'mux';
      if (line === 'OK' && pending && C2C_OPEN.test(pending.line) && this.mode === 'command' && !this.onC2cClosed) this.startC2c();
      if (line === 'OK' && pending && C2C_CLOSE.test(pending.line)) this.onC2cClosed?.();
      if (line.startsWith('CONNECT')) {
        this.mode = 'online';
        this.moduleTail = Buffer.alloc(0);
        this.hostTail = Buffer.alloc(0);
      }
      return;
    }
    if (pending) {
      const prefix = /^([+#][A-Za-z0-9_.!\-]+):/.exec(line)?.[1]?.toUpperCase();
      const isUrc = prefix !== undefined && pending.names.length > 0 && !pending.names.includes(prefix);
      this.emit({ time, mark: isUrc ? '!' : '<', text });
      return;
    }
    this.emit({ time, mark: '!', text });
  }

  /** Drops the module's echo of prompt data; returns what follows it (the answer). */
  private dropPromptEcho(bytes: Buffer): Buffer {
    let i = 0;
    while (i < bytes.length && this.echoed < this.promptData.length && bytes[i] === this.promptData[this.echoed]) {
      i++;
      this.echoed++;
    }
    if (i === bytes.length) return Buffer.alloc(0);
    // Anything else is the module's answer: the prompt is over.
    this.flushRun();
    this.mode = 'command';
    return bytes.subarray(i);
  }

  private moduleOnlineBytes(bytes: Buffer, time: number): void {
    if (bytes.length === 0) return;
    const window = Buffer.concat([this.moduleTail, bytes]);
    const escaped = this.hostTail.equals(ESCAPE);
    const end = endOfOnline(window, escaped);
    if (!end) {
      this.moduleTail = window.subarray(-NO_CARRIER.length);
      this.addData('<<', bytes, time);
      return;
    }
    // The marker may begin in bytes already counted as data: take them back out of the run.
    const dataInChunk = end.at - this.moduleTail.length;
    if (dataInChunk < 0) this.trimRun('<<', -dataInChunk);
    else if (dataInChunk > 0) this.addData('<<', bytes.subarray(0, dataInChunk), time);
    if (end.kind === 'escape') this.splitEscape();
    this.flushRun();
    this.mode = 'command';
    this.moduleTail = Buffer.alloc(0);
    this.hostTail = Buffer.alloc(0);
    this.emit({ time, mark: '<', text: end.kind === 'escape' ? 'OK' : 'NO CARRIER' });
    this.moduleCommandBytes(window.subarray(end.at + end.length), time);
  }

  /** Shows the host's `+++` apart from the data before it. */
  private splitEscape(): void {
    const run = this.run;
    if (run?.mark === '<<') this.flushRun();
    const host = this.run;
    if (host?.mark !== '>>') return;
    const all = Buffer.concat(host.chunks);
    if (!all.subarray(-ESCAPE.length).equals(ESCAPE)) return;
    const data = all.subarray(0, -ESCAPE.length);
    this.run = undefined;
    if (data.length > 0) this.emit({ time: host.time, mark: '>>', text: describeData(data) });
    this.emit({ time: host.time, mark: '>>', text: '+++' });
  }

  private addData(mark: '>>' | '<<', bytes: Buffer, time: number): void {
    if (bytes.length === 0) return;
    if (this.run && this.run.mark !== mark) this.flushRun();
    this.run ??= { mark, chunks: [], length: 0, time };
    this.run.chunks.push(bytes);
    this.run.length += bytes.length;
    this.run.time = time;
  }

  private trimRun(mark: '>>' | '<<', count: number): void {
    const run = this.run;
    if (run?.mark !== mark) return;
    const all = Buffer.concat(run.chunks);
    run.chunks = [all.subarray(0, Math.max(0, all.length - count))];
    run.length = run.chunks[0]!.length;
  }

  private flushRun(): void {
    const run = this.run;
    this.run = undefined;
    if (!run || run.length === 0) return;
    this.emit({ time: run.time, mark: run.mark, text: describeData(Buffer.concat(run.chunks)) });
  }
}

function endOfOnline(window: Buffer, escaped: boolean): { kind: 'no-carrier' | 'escape'; at: number; length: number } | undefined {
  const nc = window.indexOf(NO_CARRIER);
  const ok = escaped ? window.indexOf(ESCAPE_OK) : -1;
  if (ok >= 0 && (nc < 0 || ok < nc)) return { kind: 'escape', at: ok, length: ESCAPE_OK.length };
  if (nc >= 0) return { kind: 'no-carrier', at: nc, length: NO_CARRIER.length };
  return undefined;
}
