import net from 'node:net';
import { once } from 'node:events';
import type { Duplex } from 'node:stream';
import { loadSerialPort } from './optional-import.js';
import type { TermTarget } from './parse.js';

export interface TermOptions {
  /** Start with the hex view on. */
  hex?: boolean;
  /** Serial baud rate (ignored by pseudo-terminals). */
  baud?: number;
  /** Pipe mode: forward stdin bytes untouched (default: LF and CRLF become CR). */
  raw?: boolean;
  /** Pipe mode: after stdin ends, exit once the device has been quiet this long. */
  drainMs?: number;
}

export interface TermIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const CTRL_T = 0x14;

/** Opens the device: a TCP connection or a serial port / pseudo-terminal. */
export async function openTarget(target: TermTarget, baud = 115200): Promise<Duplex> {
  if (target.kind === 'tcp') {
    const s = net.connect({ host: target.host, port: target.port });
    s.setNoDelay(true);
    await once(s, 'connect');
    return s;
  }
  const { SerialPort } = await loadSerialPort();
  return new Promise<Duplex>((resolve, reject) => {
    const port = new SerialPort({ path: target.path, baudRate: baud }, (err) => (err ? reject(err) : resolve(port)));
  });
}

/** A serial port (closed with close(), not end()), told apart without loading serialport. */
function isSerialPort(d: Duplex): d is Duplex & { isOpen: boolean; close(cb: () => void): void } {
  return typeof (d as { isOpen?: unknown }).isOpen === 'boolean' && typeof (d as { close?: unknown }).close === 'function';
}

/** One received chunk as hex + ascii lines, 16 bytes a line. */
export function hexDump(chunk: Buffer, eol = '\n', prefix = 'RX'): string {
  let out = '';
  for (let off = 0; off < chunk.length; off += 16) {
    const row = chunk.subarray(off, off + 16);
    const hex = Array.from(row, (b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = Array.from(row, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    out += `${off === 0 ? prefix : ' '.repeat(prefix.length)} ${hex.padEnd(47)}  |${ascii}|${eol}`;
  }
  return out;
}

/** Converts LF and CRLF to CR across chunk boundaries (pipe mode: lines become AT lines). */
export function newlineToCr(): (chunk: Buffer) => Buffer {
  let lastCr = false;
  return (chunk) => {
    const out: number[] = [];
    for (const b of chunk) {
      if (b === 0x0a) {
        if (!lastCr) out.push(0x0d);
        lastCr = false;
        continue;
      }
      out.push(b);
      lastCr = b === 0x0d;
    }
    return Buffer.from(out);
  };
}

/**
 * Interactive terminal in the style of m-center. TTY: raw keys to the device (Enter is CR,
 * Ctrl-Z/ESC/Ctrl-C pass through), Ctrl-T h toggles the hex view, Ctrl-T q quits, Ctrl-T
 * Ctrl-T sends a literal Ctrl-T. Not a TTY: stdin is forwarded, and the command exits when
 * stdin has ended and the device has been quiet for `drainMs`. Resolves with an exit code.
 */
export async function runTerm(
  target: TermTarget,
  opts: TermOptions = {},
  io: TermIo = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  const device = await openTarget(target, opts.baud);
  const tty = io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
  const eol = tty ? '\r\n' : '\n';
  let hex = opts.hex ?? false;
  const name = target.kind === 'tcp' ? `tcp://${target.host}:${target.port}` : target.path;

  return new Promise<number>((resolve) => {
    let finished = false;
    let drainTimer: NodeJS.Timeout | undefined;
    let drainCap: NodeJS.Timeout | undefined;
    let stdinEnded = false;

    const finish = (code: number, message?: string): void => {
      if (finished) return;
      finished = true;
      clearTimeout(drainTimer);
      clearTimeout(drainCap);
      io.stdin.off('data', onStdin);
      io.stdin.off('end', onStdinEnd);
      if (tty) io.stdin.setRawMode!(false);
      io.stdin.pause();
      if (message) io.stderr.write(message + eol);
      device.off('close', onDeviceClose);
      device.on('error', () => {});
      if (isSerialPort(device)) {
        if (device.isOpen) device.close(() => resolve(code));
        else resolve(code);
      } else {
        device.end();
        device.destroy();
        resolve(code);
      }
    };

    const armDrain = (): void => {
      if (!stdinEnded) return;
      clearTimeout(drainTimer);
      drainTimer = setTimeout(() => finish(0), opts.drainMs ?? 500);
    };

    device.on('data', (chunk: Buffer) => {
      if (hex) io.stdout.write(hexDump(chunk, eol));
      else io.stdout.write(chunk);
      armDrain();
    });
    device.on('error', (err: Error) => finish(1, `modemlab term: ${err.message}`));
    const onDeviceClose = (): void => finish(0, `${eol}modemlab term: connection closed`);
    device.on('close', onDeviceClose);

    const translate = opts.raw ? (b: Buffer) => b : newlineToCr();
    let escape = false;
    const onStdin = (data: Buffer | string): void => {
      const chunk = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
      if (!tty) {
        device.write(translate(chunk));
        return;
      }
      const out: number[] = [];
      for (const b of chunk) {
        if (escape) {
          escape = false;
          const key = String.fromCharCode(b).toLowerCase();
          if (key === 'q') {
            if (out.length) device.write(Buffer.from(out));
            finish(0);
            return;
          } else if (key === 'h') {
            hex = !hex;
            io.stderr.write(`${eol}[hex view ${hex ? 'on' : 'off'}]${eol}`);
          } else if (b === CTRL_T) {
            out.push(CTRL_T);
          } else {
            io.stderr.write(`${eol}[Ctrl-T h: hex view on/off, Ctrl-T q: quit, Ctrl-T Ctrl-T: send Ctrl-T]${eol}`);
          }
          continue;
        }
        if (b === CTRL_T) {
          escape = true;
          continue;
        }
        out.push(b);
      }
      if (out.length) device.write(Buffer.from(out));
    };
    const onStdinEnd = (): void => {
      stdinEnded = true;
      armDrain();
      // A device that never goes quiet still lets the command end.
      drainCap = setTimeout(() => finish(0), Math.max(10_000, (opts.drainMs ?? 500) * 4));
    };

    if (tty) {
      io.stdin.setRawMode!(true);
      io.stderr.write(`modemlab term: connected to ${name} (Ctrl-T h: hex view, Ctrl-T q: quit)${eol}`);
    }
    io.stdin.on('data', onStdin);
    io.stdin.on('end', onStdinEnd);
    io.stdin.resume();
  });
}
