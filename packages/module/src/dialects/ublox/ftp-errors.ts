import { FileSystemError } from '../../services/files/file-system.js';
import { FtpFailure } from '../../services/ftp/ftp-service.js';

/**
 * +UFTPER <error_class>,<error_code>. The manual: "reply code if <error_class> is 0"; the
 * appendix with the class-specific codes (A.6.1) was not retrieved, so the module's own
 * failures are numbered here in class 1 and recorded in docs/architecture.md. 0,0 is "no
 * error"; a server's refusal is 0,<its reply code> (e.g. 0,550).
 */
export const FTP_CLIENT_ERROR_CLASS = 1;

export const FtpClientError = {
  notLoggedIn: 1,
  alreadyLoggedIn: 2,
  busy: 3,
  noDataPath: 4,
  dns: 5,
  connect: 6,
  login: 7,
  tls: 8,
  timeout: 9,
  connectionLost: 10,
  localFile: 11,
  aborted: 12,
  noServer: 13,
} as const;

export type FtpErrorPair = readonly [number, number];
export const FTP_NO_ERROR: FtpErrorPair = [0, 0];
const client = (code: number): FtpErrorPair => [FTP_CLIENT_ERROR_CLASS, code];

/** The pair a failed operation leaves for +UFTPER. */
export function ftpErrorPair(err: unknown): FtpErrorPair {
  if (err instanceof FileSystemError) return client(FtpClientError.localFile);
  if (!(err instanceof FtpFailure)) return client(FtpClientError.connectionLost);
  switch (err.reason) {
    case 'rejected':
      return err.replyCode ? [0, err.replyCode] : client(FtpClientError.connectionLost);
    case 'login':
      return err.replyCode ? [0, err.replyCode] : client(FtpClientError.login);
    case 'no-data-path':
      return client(FtpClientError.noDataPath);
    case 'dns':
      return client(FtpClientError.dns);
    case 'connect':
      return client(FtpClientError.connect);
    case 'auth-tls-refused':
    case 'tls':
      return client(FtpClientError.tls);
    case 'not-connected':
      return client(FtpClientError.notLoggedIn);
    case 'already-connected':
      return client(FtpClientError.alreadyLoggedIn);
    case 'busy':
      return client(FtpClientError.busy);
    case 'timeout':
      return client(FtpClientError.timeout);
    case 'closed':
      return client(FtpClientError.connectionLost);
  }
}
