/**
 * The UART-side limits every product shares (none documents its own): the receive buffer
 * that holds host input while a command runs, and the silence that ends a text prompt.
 * A product that documents a value gets its own row instead.
 */
export const UART_LIMITS = {
  inputBufferBytes: 16 * 1024,
  promptIdleMs: 60_000,
  /** +IPR rates (bit/s; 0 autobauding), the list the u-blox and Telit manuals share. */
  baudRates: [0, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 921600],
} as const;
