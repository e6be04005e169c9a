import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Duplex } from 'node:stream';
import type { UartAttachable } from './types.js';

export interface PtyOptions {
  /** Where the pseudo-terminal appears: a symlink to /dev/pts/N, e.g. /tmp/ttyV0. */
  path: string;
  /** socat executable (default 'socat', looked up in PATH). */
  socat?: string;
  /** How long to wait for socat to create the link (default 5000 ms). */
  startTimeoutMs?: number;
}

export interface PtyListener {
  /** The symlink clients open (absolute). */
  readonly path: string;
  /** Detaches the module, stops socat and removes the symlink. */
  close(): Promise<void>;
}

export class SocatMissingError extends Error {
  constructor(cmd: string) {
    super(`modemlab: '${cmd}' was not found; the pty transport needs socat: apt-get install socat`);
    this.name = 'SocatMissingError';
  }
}

/**
 * Serves a module's UART on a real pseudo-terminal: `socat PTY,link=<path>,raw,echo=0 STDIO`.
 * socat holds the master side; its stdin/stdout are the module's UART. Raw mode, so all 256
 * byte values pass both ways (Ctrl-Z, ESC, 0x00, 0x03 are not interpreted). A client may
 * close and reopen the path; socat keeps the pty.
 */
export async function servePty(module: UartAttachable, opts: PtyOptions): Promise<PtyListener> {
  const linkPath = path.resolve(opts.path);
  const cmd = opts.socat ?? 'socat';
  const timeoutMs = opts.startTimeoutMs ?? 5000;

  await removeStaleLink(linkPath);
  // socat creates its link before it sets the pty's termios (raw, echo=0): a client that
  // opened the path in between saw cooked mode (onlcr turned its LF into CR LF). So socat
  // links a private name, and the public path appears by an atomic rename only once socat
  // reports its transfer loop, which it starts after the termios is set.
  const privateLink = path.join(path.dirname(linkPath), `.${path.basename(linkPath)}.${process.pid}.starting`);
  await removeStaleLink(privateLink);

  const child = spawn(cmd, ['-d', '-d', `PTY,link=${privateLink},raw,echo=0`, 'STDIO'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });

  let exited = false;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', () => {
      exited = true;
      resolve();
    });
  });

  await waitForStart(child, privateLink, linkPath, cmd, timeoutMs, () => stderr)
    .then(() => fs.rename(privateLink, linkPath))
    .catch(async (err: unknown) => {
      if (!exited) child.kill('SIGKILL');
      await exitPromise;
      await removeStaleLink(privateLink).catch(() => {});
      throw err;
    });

  const stdin = child.stdin!;
  const stdout = child.stdout!;
  stdin.on('error', () => {}); // EPIPE when socat goes away
  stdout.on('error', () => {});
  const uart = Duplex.from({ readable: stdout, writable: stdin });
  uart.on('error', () => {});

  let detach: (() => void) | undefined = module.attach(uart, `pty:${linkPath}`);
  const doDetach = (): void => {
    const d = detach;
    detach = undefined;
    try {
      d?.();
    } catch {
      // ignore
    }
  };
  void exitPromise.then(doDetach);

  let closing: Promise<void> | undefined;
  return {
    path: linkPath,
    close(): Promise<void> {
      closing ??= (async () => {
        doDetach();
        if (!exited) {
          child.kill('SIGTERM');
          const t = setTimeout(() => {
            if (!exited) child.kill('SIGKILL');
          }, 2000);
          await exitPromise;
          clearTimeout(t);
        }
        uart.destroy();
        await removeStaleLink(linkPath).catch(() => {});
      })();
      return closing;
    },
  };
}

/** Resolves once socat's symlink exists and socat runs its transfer loop (its termios set); rejects if socat is missing, exits, or times out. */
function waitForStart(
  child: ChildProcess,
  linkPath: string,
  /** The public path, for error messages. */
  shownPath: string,
  cmd: string,
  timeoutMs: number,
  stderr: () => string,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    const finish = (err?: Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(poll);
      clearTimeout(timer);
      child.off('error', onError);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      finish(err.code === 'ENOENT' ? new SocatMissingError(cmd) : err);
    };
    const onExit = (code: number | null, signal: NodeJS.Signals | null): void => {
      finish(
        new Error(
          `modemlab: socat exited (${signal ?? `code ${code}`}) before creating ${shownPath}` +
            (socatErrors(stderr()) ? `: ${socatErrors(stderr())}` : ''),
        ),
      );
    };
    child.once('error', onError);
    child.once('exit', onExit);
    const poll = setInterval(() => {
      if (!stderr().includes('starting data transfer loop')) return;
      fs.lstat(linkPath).then(
        (st) => {
          if (st.isSymbolicLink()) finish();
        },
        () => {},
      );
    }, 10);
    const timer = setTimeout(
      () => finish(new Error(`modemlab: socat did not create ${shownPath} within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
}

/** socat's error and fatal lines (its notices, from -d -d, are noise in an error message). */
function socatErrors(text: string): string {
  return text
    .split('\n')
    .filter((line) => / [EF] /.test(line))
    .join('\n')
    .trim();
}

/** Removes a symlink left at `p` (e.g. by a killed run); refuses to delete anything else. */
async function removeStaleLink(p: string): Promise<void> {
  let st;
  try {
    st = await fs.lstat(p);
  } catch {
    return;
  }
  if (!st.isSymbolicLink()) {
    throw new Error(`modemlab: ${p} exists and is not a symlink; choose another --pty path`);
  }
  await fs.unlink(p);
}
