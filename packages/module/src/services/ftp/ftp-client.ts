import type { Writable } from 'node:stream';
import { Client, FTPError, type FTPResponse } from 'basic-ftp';
import { downloadTo } from 'basic-ftp/dist/transfer.js';

/**
 * basic-ftp, loaded by FtpService at the first open (ftp-service.ts imports only its types):
 * a module that never runs FTP never loads it (CLI start time, docs/architecture.md "Start time").
 */
export { FTPError };

/** basic-ftp's Client with a raw LIST: the listing's bytes as the server sends them. */
export class ModuleFtpClient extends Client {
  async listTo(destination: Writable, path: string, verb: 'LIST' | 'NLST' = 'LIST'): Promise<FTPResponse> {
    try {
      await this.prepareTransfer(this.ftp);
      return await downloadTo(destination, {
        ftp: this.ftp,
        tracker: this._progressTracker,
        command: path ? `${verb} ${path}` : verb,
        remotePath: path,
        type: 'list',
      });
    } finally {
      destination.end();
    }
  }
}

/** The server's greeting on a control connection handed to basic-ftp: a 2xx, or an FTPError. */
export function greeting(client: Client): Promise<FTPResponse> {
  return client.ftp.handle(undefined, (res, task) => {
    if (res instanceof Error) task.reject(res);
    else if (res.code >= 200 && res.code < 300) task.resolve(res);
    else task.reject(new FTPError(res));
  }) as Promise<FTPResponse>;
}
