/** In-process transport: any Duplex (a virtual module in the same process, a CMUX channel...). */
import { Duplex } from 'node:stream';

/** Accepts a Duplex as is, after checking it is one and is usable. */
export function fromStream(stream: Duplex): Duplex {
  if (!(stream instanceof Duplex)) throw new TypeError('transport stream must be a stream.Duplex');
  if (stream.destroyed) throw new TypeError('transport stream is already destroyed');
  return stream;
}
