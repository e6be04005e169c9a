import type { CommandFailure } from './failure.js';
import type { TerminalSession } from './session.js';

/**
 * Frames responses per V.250 and the session's ATV/ATQ settings: with V1 an information
 * block and each result code are framed by CR LF; with V0 information lines end in CR LF
 * and result codes are a number and CR.
 */
export class ResponseWriter {
  private infoOpen = false;

  constructor(
    private readonly session: TerminalSession,
    private readonly write: (text: string) => void,
  ) {}

  /** Each command of a line starts its own information block. */
  beginCommand(): void {
    this.infoOpen = false;
  }

  info(line: string): void {
    const { cr, lf } = this.eol();
    if (this.session.verbose && !this.infoOpen) this.write(cr + lf);
    this.infoOpen = true;
    this.write(line + cr + lf);
  }

  urc(line: string): void {
    const { cr, lf } = this.eol();
    this.write(this.session.verbose ? cr + lf + line + cr + lf : line + cr + lf);
  }

  final(text: string, numeric: number): void {
    this.infoOpen = false;
    if (this.session.quiet) return;
    const { cr, lf } = this.eol();
    this.write(this.session.verbose ? cr + lf + text + cr + lf : `${numeric}${cr}`);
  }

  failure(f: CommandFailure, errorText: (code: number) => string): void {
    const code = f.code;
    if (code === undefined || this.session.cmee === 0) {
      this.final('ERROR', 4);
      return;
    }
    this.infoOpen = false;
    if (this.session.quiet) return;
    const text = this.session.cmee === 1 ? String(code) : errorText(code);
    const { cr, lf } = this.eol();
    const line = `+CME ERROR: ${text}`;
    this.write(this.session.verbose ? cr + lf + line + cr + lf : line + cr + lf);
  }

  private eol(): { cr: string; lf: string } {
    return {
      cr: String.fromCharCode(this.session.sreg(3)),
      lf: String.fromCharCode(this.session.sreg(4)),
    };
  }
}
