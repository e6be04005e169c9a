/** What the gateway's end-to-end tests need to run `modemlab mqttsn-gateway` as a process. */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import net from 'node:net';

/** A loopback port free now (the gateway is told to listen on it). */
export async function freePort(): Promise<number> {
  const s = net.createServer().listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** Resolves with the first match of `re` in the child's stream, rejects if it exits first. */
export function waitFor(child: ChildProcess, stream: NodeJS.ReadableStream, re: RegExp): Promise<RegExpExecArray> {
  let text = '';
  return new Promise((resolve, reject) => {
    stream.on('data', (c: Buffer) => {
      text += c.toString();
      const m = re.exec(text);
      if (m) resolve(m);
    });
    child.once('exit', (code) => reject(new Error(`exited ${code} before ${re}: ${text}`)));
  });
}
