/** Interface settings of the module's UART that are not per-terminal AT settings. */
export class ModuleSettings {
  ipr = 115200;
  flowControl = 3;
  dcd = 1;
  dtr = 1;
  /** +UDCONF=1: socket data in hex. */
  hexMode = false;

  reset(): void {
    Object.assign(this, new ModuleSettings());
  }
}
