import { PassThrough, Writable, type Duplex } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Writes `payload` through `socket` (to an echo server) with pipeline(), collects as many
 * bytes back, then ends the socket; returns what came back.
 */
export async function echoRoundTrip(socket: Duplex, payload: Buffer): Promise<Buffer> {
  const received: Buffer[] = [];
  let total = 0;
  const sink = new Writable({
    write(chunk: Buffer, _e, cb) {
      received.push(chunk);
      total += chunk.length;
      if (total >= payload.length) socket.end();
      cb();
    },
  });
  const source = new PassThrough();
  source.end(payload);
  // The write side may see the end the sink caused; what came back is what the caller checks.
  await Promise.all([pipeline(source, socket, { end: false }).catch(() => {}), pipeline(socket, sink)]);
  return Buffer.concat(received);
}
