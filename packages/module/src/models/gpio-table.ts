/** The product's GPIO pads (+UGPIOC): which ids exist, which functions they take, how they start. */
export interface GpioTable {
  /** Pad ids as the AT interface numbers them (u-blox: the pin number, e.g. 16 for GPIO1). */
  pins: number[];
  /** Functions a pad accepts (0 output, 1 input, the rest alternate functions, 255 pad disabled). */
  modes: number[];
  /** The function each pad has until the host sets another. */
  defaultMode: number;
  /** The serial interface variant (+USIO) the product runs. */
  serialVariant: number;
}

/**
 * SARA-R5: GPIO1..GPIO6 are pins 16, 23, 24, 25, 42, 19. The modes are those the SARA-R5
 * manual lists for +UGPIOC (0 output, 1 input, 2 network status, 3 GNSS supply, 4 GNSS data
 * ready, 5 GNSS RTC sharing, 6 jamming, 7 SIM detection, 10 module status, 12 I2S, 15-16 DSR/
 * DTR, 18 RI, 19 last gasp, 21-23 time pulse / time stamp, 24 fast power-off, 255 disabled).
 * Every pad starts disabled (255) and serial variant 0 is active (decisions: the lab's
 * factory state, documented in docs/architecture.md).
 */
export const saraR5Gpio: GpioTable = {
  pins: [16, 19, 23, 24, 25, 42],
  modes: [0, 1, 2, 3, 4, 5, 6, 7, 10, 12, 15, 16, 18, 19, 21, 22, 23, 24, 255],
  defaultMode: 255,
  serialVariant: 0,
};
