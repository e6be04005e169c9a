/**
 * The UART-side limits every product shares (none documents its own): the receive buffer
 * that holds host input while a command runs, and the silence that ends a text prompt.
 * A product that documents a value gets its own row instead.
 */
export const UART_LIMITS = {
  inputBufferBytes: 16 * 1024,
  promptIdleMs: 60_000,
} as const;
