/**
 * Settings that belong to one AT terminal (a UART, a USB port, a CMUX channel), not to the
 * module: each terminal of a real module keeps its own echo, result-code format, +CMEE and
 * URC presentation modes.
 */
export interface SessionDefaults {
  echo: boolean;
  verbose: boolean;
  cmee: 0 | 1 | 2;
}

export class TerminalSession {
  echo: boolean;
  verbose: boolean;
  quiet = false;
  cmee: 0 | 1 | 2;
  /** S-registers: 3 line terminator, 4 response formatting, 5 backspace, 12 escape guard (1/50 s). */
  readonly sregs = new Map<number, number>([
    [3, 13],
    [4, 10],
    [5, 8],
    [12, 50],
  ]);
  /** URC presentation modes of this terminal, by command (e.g. '+CEREG' -> 2). */
  readonly urcModes = new Map<string, number>();
  /** The last command line, for A/. */
  lastLine = '';

  constructor(private readonly defaults: SessionDefaults) {
    this.echo = defaults.echo;
    this.verbose = defaults.verbose;
    this.cmee = defaults.cmee;
  }

  /** Back to power-up values: a reboot or ATZ. */
  reset(): void {
    this.echo = this.defaults.echo;
    this.verbose = this.defaults.verbose;
    this.quiet = false;
    this.cmee = this.defaults.cmee;
    this.sregs.set(3, 13).set(4, 10).set(5, 8).set(12, 50);
    this.urcModes.clear();
    this.lastLine = '';
  }

  sreg(index: number): number {
    return this.sregs.get(index) ?? 0;
  }

  urcMode(command: string): number {
    return this.urcModes.get(command) ?? 0;
  }

  /** The +++ guard time in ms, from S12. */
  escapeGuardMs(): number {
    return this.sreg(12) * 20;
  }
}
