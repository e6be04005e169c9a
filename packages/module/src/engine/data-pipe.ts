/**
 * The byte pipe a terminal hands over to in online data mode (Telit #SSLD, u-blox direct
 * link, PPP). Whoever owns the connection implements it; the terminal only moves bytes and
 * watches for the +++ escape. On escape the terminal detaches and the owner keeps the
 * connection (buffering what arrives) until a dialect resumes it.
 */
export interface DataSink {
  data(bytes: Buffer): void;
  /** The remote side went away: the terminal prints NO CARRIER. */
  close(): void;
}

export interface DataPipe {
  /** Bytes from the host, toward the remote. */
  write(bytes: Buffer): void;
  attach(sink: DataSink): void;
  detach(): void;
  /**
   * For a pipe whose +++ ends its job instead of suspending it (an FTP upload completes):
   * the terminal detaches, stays busy (host input waits) and prints the result this
   * resolves with. Without it the terminal prints OK at once and the owner keeps the
   * connection for a resume command.
   */
  escape?(): Promise<{ text: string; numeric: number }>;
}
