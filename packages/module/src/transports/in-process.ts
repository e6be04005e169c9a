import type { Duplex } from 'node:stream';
import { duplexPair } from './duplex-pair.js';
import type { UartAttachable } from './types.js';

/**
 * Attaches one end of an in-process pipe to the module's UART and returns the host end.
 * Ending or destroying the host end detaches the module.
 */
export function connectInProcess(module: UartAttachable): Duplex {
  const [host, uart] = duplexPair();
  const detach = module.attach(uart, 'in-process');
  let detached = false;
  const done = (): void => {
    if (detached) return;
    detached = true;
    detach();
  };
  uart.on('error', () => {});
  uart.once('close', done);
  // Host half-closed its writing side: the module sees end of input; detach once it finished.
  uart.once('end', () => {
    if (!uart.writableEnded) uart.end();
  });
  return host;
}
