import { ManualClock } from '@modemlab/at';
import { ModuleHarness } from '../../testing/harness.js';

const FINAL = /\r\n(OK|ERROR|\+CME ERROR: [^\r\n]+|CONNECT|NO CARRIER)\r\n$|\r\n> $/;

/**
 * A Telit module on a manual clock, registered, with context 1 active and SSId 1 enabled
 * on its terminal, numeric +CMEE and no echo. Its clock starts now: the module checks its
 * stored CA's dates (made by the test PKI today) at the network's time.
 */
export async function telitModule(model: 'ge910' | 'he910', clock = new ManualClock(Date.now()), stateDir?: string): Promise<ModuleHarness> {
  const h = await ModuleHarness.create({ model, clock, ...(stateDir ? { stateDir } : {}) });
  try {
    await h.send('ATE0\r');
    await h.advance(2000);
    await h.send('AT+CMEE=1\r');
    await h.send('AT#SGACT=1,1\r');
    const r = await h.send('AT#SSLEN=1,1\r');
    if (r !== '\r\nOK\r\n') throw new Error(`#SSLEN: ${JSON.stringify(r)}`);
  } catch (err) {
    await h.close();
    throw err;
  }
  return h;
}

/** Sends a line (or bytes) and waits, in real time, for a final result code or the "> " prompt. */
export async function at(h: ModuleHarness, input: string | Buffer, timeoutMs = 5000): Promise<string> {
  h.take();
  h.terminal.input(typeof input === 'string' ? Buffer.from(input, 'latin1') : input);
  return untilFinal(h, timeoutMs);
}

/** Waits for the next final result code (or prompt) in the output and takes everything. */
export async function untilFinal(h: ModuleHarness, timeoutMs = 5000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = h.output.toString('latin1');
    if (FINAL.test(text)) return h.take();
    if (Date.now() > deadline) throw new Error(`no final result; got ${JSON.stringify(text)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Stores PEM security data with #SSLSECDATA=1,1,<type> (Ctrl-Z ends it); returns the final answer. */
export async function storePem(h: ModuleHarness, type: number, pem: string | Buffer): Promise<string> {
  const data = Buffer.from(pem);
  const prompt = await at(h, `AT#SSLSECDATA=1,1,${type},${data.length}\r`);
  if (prompt !== '\r\n> ') throw new Error(`no prompt: ${JSON.stringify(prompt)}`);
  return at(h, Buffer.concat([data, Buffer.from([0x1a])]));
}
