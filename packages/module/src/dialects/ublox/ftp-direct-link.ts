import type { Readable, Writable } from 'node:stream';
import type { DataPipe, PipeReceiver } from '../../link/byte-pipe.js';
import type { FtpTransfer } from '../../services/ftp/ftp-service.js';

/** What +++ prints when it ends an FTP direct link: the module is back in command mode. */
const ESCAPED = { text: 'OK', numeric: 0 };

/**
 * +UFTPC=6 in direct link: the file's bytes as they arrive; when the server confirmed the
 * transfer the module leaves direct link by itself (NO CARRIER). +++ aborts the retrieve:
 * the data connection is closed and the module answers OK. `settled` says how it ended
 * (true: the whole file went through).
 */
export function retrievePipe(transfer: FtpTransfer<Readable>, settled: (ok: boolean, err?: unknown) => void): DataPipe {
  let sink: PipeReceiver | undefined;
  let finished = false;
  let aborted = false;
  const early: Buffer[] = [];
  transfer.stream.on('data', (chunk: Buffer) => (sink ? sink.data(chunk) : early.push(chunk)));
  const ended = new Promise<void>((resolve) => {
    transfer.stream.once('end', resolve);
    transfer.stream.once('close', resolve);
  });
  void Promise.allSettled([transfer.done, ended]).then(([done]) => {
    finished = true;
    if (aborted) return;
    if (done.status === 'fulfilled') settled(true);
    else settled(false, done.reason);
    sink?.close();
  });
  return {
    write: () => {},
    attach: (s) => {
      sink = s;
      for (const chunk of early.splice(0)) s.data(chunk);
      if (finished && !aborted) queueMicrotask(() => s.close());
    },
    detach: () => {
      sink = undefined;
    },
    escape: async () => {
      if (finished) return ESCAPED;
      aborted = true;
      transfer.abort();
      await transfer.done.catch(() => undefined);
      settled(false, 'aborted');
      return ESCAPED;
    },
  };
}

/**
 * +UFTPC=7 in direct link: the host's bytes go to the file; +++ completes it (the module
 * finishes the FTP exchange, then answers OK). A broken transfer ends direct link with NO
 * CARRIER.
 */
export function storePipe(transfer: FtpTransfer<Writable>, settled: (ok: boolean, err?: unknown) => void): DataPipe {
  let sink: PipeReceiver | undefined;
  let escaped = false;
  let finished = false;
  void transfer.done.then(
    () => {
      finished = true;
      if (escaped) settled(true);
    },
    (err: unknown) => {
      finished = true;
      settled(false, err);
      if (!escaped) sink?.close();
    },
  );
  return {
    write: (bytes) => {
      if (!escaped && !finished) transfer.stream.write(Buffer.from(bytes));
    },
    attach: (s) => {
      sink = s;
      if (finished) queueMicrotask(() => s.close());
    },
    detach: () => {
      sink = undefined;
    },
    escape: async () => {
      escaped = true;
      transfer.stream.end();
      await transfer.done.catch(() => undefined);
      return ESCAPED;
    },
  };
}
