import { ModuleHarness } from '../../testing/harness.js';

/**
 * A host on a BC66 harness: sends lines and bytes, waits for text, and takes the data of
 * every complete +QSSLURC: "recv" out of the output as it comes (text data is parsed by
 * its length, so any byte may be in it).
 */
export class QuectelHost {
  private buf = '';
  /** Data of "recv" URCs per connectID, in order. */
  readonly received = new Map<number, Buffer[]>();
  /** Lengths of the "recv" URCs seen. */
  readonly recvLengths: number[] = [];

  private constructor(readonly h: ModuleHarness) {}

  /** A registered BC66 with echo off. */
  static async create(): Promise<QuectelHost> {
    const h = await ModuleHarness.create({ model: 'bc66' });
    const host = new QuectelHost(h);
    try {
      await h.advance(3000);
      host.write('ATE0\r');
      await host.expect('ATE0\r\r\nOK\r\n');
    } catch (err) {
      await h.close();
      throw err;
    }
    return host;
  }

  write(data: string | Buffer): void {
    this.h.terminal.input(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Sends a command line and returns the output up to and including its final result. */
  async at(line: string, timeoutMs = 5000): Promise<string> {
    this.write(`${line}\r`);
    return this.until(/\r\n(OK|ERROR|\+CME ERROR: [^\r]*)\r\n/, timeoutMs);
  }

  /** Waits until `re` matches the pending output (recv URCs removed); returns the output up to the match's end and drops it. */
  async until(re: RegExp, timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.pull();
      const m = re.exec(this.buf);
      if (m) {
        const end = m.index + m[0].length;
        const text = this.buf.slice(0, end);
        this.buf = this.buf.slice(end);
        return text;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${re}; pending ${JSON.stringify(this.buf.slice(0, 400))}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Expects exactly `text` next (after recv URCs are taken out). */
  async expect(text: string, timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.pull();
      if (this.buf.length >= text.length) {
        const got = this.buf.slice(0, text.length);
        if (got !== text) throw new Error(`expected ${JSON.stringify(text)}, got ${JSON.stringify(this.buf.slice(0, 400))}`);
        this.buf = this.buf.slice(text.length);
        return;
      }
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${JSON.stringify(text)}; pending ${JSON.stringify(this.buf)}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Waits until `bytes` have arrived on connectID `conn`. */
  async receivedReaches(conn: number, bytes: number, timeoutMs = 10_000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.pull();
      const data = Buffer.concat(this.received.get(conn) ?? []);
      if (data.length >= bytes) return data;
      if (Date.now() > deadline) throw new Error(`only ${data.length} of ${bytes} bytes on ${conn}; pending ${JSON.stringify(this.buf.slice(0, 200))}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  /** Output not consumed yet (recv URCs taken out). */
  pending(): string {
    this.pull();
    return this.buf;
  }

  async close(): Promise<void> {
    await this.h.close();
  }

  private pull(): void {
    this.buf += this.h.take();
    const head = /\r\n\+QSSLURC: "recv",1,(\d),(\d+),"/;
    for (;;) {
      const m = head.exec(this.buf);
      if (!m) return;
      const conn = Number(m[1]);
      const length = Number(m[2]);
      const start = m.index + m[0].length;
      // Hex data has two digits a byte; which one it is shows by the closing quote.
      const closeText = this.buf.indexOf('"\r\n', start + length) === start + length ? length : length * 2;
      if (this.buf.length < start + closeText + 3) return;
      const raw = this.buf.slice(start, start + closeText);
      const data = closeText === length ? Buffer.from(raw, 'latin1') : Buffer.from(raw, 'hex');
      if (this.buf.slice(start + closeText, start + closeText + 3) !== '"\r\n') throw new Error(`bad recv URC: ${JSON.stringify(this.buf.slice(m.index, m.index + 80))}`);
      const list = this.received.get(conn) ?? [];
      list.push(data);
      this.received.set(conn, list);
      this.recvLengths.push(length);
      this.buf = this.buf.slice(0, m.index) + this.buf.slice(start + closeText + 3);
    }
  }
}

export const OK = '\r\nOK\r\n';
export const ERROR = '\r\nERROR\r\n';
export const urc = (text: string): string => `\r\n${text}\r\n`;
