import type { AtClient } from '../../at-client.js';
import { AtError } from '../../errors.js';
import { paramsOf, parseInfoLine, quote } from '../../params.js';

export interface UploadOptions {
  /** Called after each block the module has accepted. */
  onProgress?(sent: number, total: number): void;
  /** Bytes per +UDWNBLOCK. Default 64 KiB. */
  blockSize?: number;
  /** Timeout of each block. Default 60 s. */
  timeoutMs?: number;
}

export interface DownloadOptions {
  /** Called after each block read. */
  onProgress?(received: number, total: number): void;
  /** Bytes per +URDBLOCK. Default 64 KiB. */
  blockSize?: number;
  timeoutMs?: number;
}

const DEFAULT_BLOCK = 64 * 1024;
const URDBLOCK_HEADER = /^\+URDBLOCK: ?"[^"]*",(\d+),"$/;

/** The module file system, through +UDWNBLOCK, +URDBLOCK, +ULSTFILE and +UDELFILE. */
export class UbloxFiles {
  constructor(private readonly client: AtClient) {}

  /**
   * Stores `data` as file `name`, replacing a file of that name. It goes in +UDWNBLOCK
   * blocks, so the module commits the file with the last block: an interrupted upload
   * leaves the old file (+UDWNFILE would append to it instead).
   */
  async upload(name: string, data: Buffer, opts: UploadOptions = {}): Promise<void> {
    if (data.length === 0) throw new RangeError('the module file system cannot store an empty file');
    const block = opts.blockSize ?? DEFAULT_BLOCK;
    for (let sent = 0; sent < data.length; ) {
      const chunk = data.subarray(sent, sent + block);
      await this.client.send(`AT+UDWNBLOCK=${quote(name)},${sent},${chunk.length},${data.length}`, {
        prompt: { data: chunk, char: '>' },
        timeoutMs: opts.timeoutMs ?? 60_000,
      });
      sent += chunk.length;
      opts.onProgress?.(sent, data.length);
    }
  }

  /** The whole file, read in +URDBLOCK blocks. */
  async download(name: string, opts: DownloadOptions = {}): Promise<Buffer> {
    const total = await this.size(name);
    const block = opts.blockSize ?? DEFAULT_BLOCK;
    const parts: Buffer[] = [];
    let received = 0;
    while (received < total) {
      const command = `AT+URDBLOCK=${quote(name)},${received},${Math.min(block, total - received)}`;
      const r = await this.client.send(command, { binaryHeader: URDBLOCK_HEADER, timeoutMs: opts.timeoutMs ?? 60_000 });
      const part = r.binary[0];
      if (!part || part.length === 0) throw new AtError(command, r.lines, `${command}: no data (the file changed while it was read?)`);
      parts.push(part);
      received += part.length;
      opts.onProgress?.(received, total);
    }
    return Buffer.concat(parts, received);
  }

  /** Names of the user files. */
  async list(): Promise<string[]> {
    const r = await this.client.send('AT+ULSTFILE=0');
    const line = r.lines.find((l) => parseInfoLine(l).prefix?.toUpperCase() === '+ULSTFILE');
    if (!line) return [];
    const { params, quoted } = parseInfoLine(line);
    // An empty file system answers the bare prefix.
    return params.filter((_, i) => quoted[i]);
  }

  async size(name: string): Promise<number> {
    return this.number(`AT+ULSTFILE=2,${quote(name)}`);
  }

  /** Free bytes of the user area. */
  async free(): Promise<number> {
    return this.number('AT+ULSTFILE=1');
  }

  async delete(name: string): Promise<void> {
    await this.client.send(`AT+UDELFILE=${quote(name)}`);
  }

  private async number(command: string): Promise<number> {
    const r = await this.client.send(command);
    const value = Number(paramsOf(r.lines, '+ULSTFILE')?.[0]);
    if (!Number.isInteger(value)) throw new AtError(command, r.lines, `${command}: no size in the response`);
    return value;
  }
}
