import type { Duplex } from 'node:stream';

/**
 * What a transport needs from a module: the ability to make a byte stream its UART.
 * `VirtualModule` (../module.ts) satisfies this structurally; transports depend on this
 * narrow shape only, so they can be tested with a fake and reused for other terminals.
 */
export interface UartAttachable {
  /** The stream becomes the module's UART, its pipe named `name` (logs, traces); returns detach(). */
  attach(stream: Duplex, name?: string): () => void;
}
