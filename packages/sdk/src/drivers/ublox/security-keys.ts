import type { AtClient } from '../../at-client.js';
import { paramsOf, quote } from '../../params.js';

/** A PSK and its identity from the module's root of trust (+USECPSK), as bytes. */
export interface RotPsk {
  identity: Buffer;
  psk: Buffer;
}

/** The ZTP material the module holds (+USECDEVCERT), PEM. */
export interface ZtpCredentials {
  key: string;
  certificate: string;
  caChain: string;
}

/** +USECDEVCERT numbering: ubxlib's (SARA-R5) or the seed's (SARA-R4), told apart by the test form. */
const NUMBERINGS = {
  ubxlib: { key: 0, certificate: 1, caChain: 2 },
  seed: { key: 3, certificate: 2, caChain: 1 },
} as const;

/** The command's `+NAME: <n>,"` header, after which <n> bytes of binary follow. */
const binaryHeader = (name: string): RegExp => new RegExp(`^\\${name}: (\\d+),"$`);

/**
 * The RoT key services of a u-blox module (seed 001 §5.2-§7): the `psk`, `e2eEncrypt`,
 * `localEncrypt`/`localDecrypt` and `ztp.credentials` methods of `modem.security`. Every
 * refusal (not sealed, feature not authorized) is the module's CmeError.
 */
export class UbloxSecurityKeys {
  constructor(private readonly client: AtClient) {}

  /** +USECPSK=<16|32>: a new identity and its PSK. */
  async psk(length: 16 | 32): Promise<RotPsk> {
    const r = await this.client.send(`AT+USECPSK=${length}`);
    const p = paramsOf(r.lines, '+USECPSK');
    if (!p || p.length < 2) throw new Error(`unexpected +USECPSK answer: ${r.lines.join(' ')}`);
    return { identity: Buffer.from(p[0]!, 'hex'), psk: Buffer.from(p[1]!, 'hex') };
  }

  /** +USECE2EDATAENC: key identity ‖ ciphertext ‖ tag, for a backend to open with `decryptE2e`. */
  e2eEncrypt(data: Buffer | string): Promise<Buffer> {
    return this.binaryCommand('+USECE2EDATAENC', data);
  }

  /** +USECE2EDATADEC: opens a downlink blob a backend made with `encryptE2eDownlink`. */
  e2eDecrypt(blob: Buffer): Promise<Buffer> {
    return this.binaryCommand('+USECE2EDATADEC', blob);
  }

  /** +USECOPCMD="e2e_enc": the E2E format new blobs use (1 or 2). */
  async e2eVersion(set?: 1 | 2): Promise<1 | 2> {
    if (set !== undefined) {
      await this.client.send(`AT+USECOPCMD="e2e_enc",${set - 1}`, { expectPrefix: null });
      return set;
    }
    const p = paramsOf((await this.client.send('AT+USECOPCMD="e2e_enc"')).lines, '+USECOPCMD');
    return Number(p?.[1]) === 1 ? 2 : 1;
  }

  /** +USECDATAENC: a blob only this module can open; stored in a module file when `file` is given. */
  async localEncrypt(data: Buffer | string, file?: string): Promise<Buffer | undefined> {
    if (file === undefined) return this.binaryCommand('+USECDATAENC', data);
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
    await this.client.send(`AT+USECDATAENC=${bytes.length},${quote(file)}`, { prompt: { data: bytes }, expectPrefix: null });
    return undefined;
  }

  /** +USECDATADEC (a blob) or +USECFILEDEC (a module file holding one): the plaintext. */
  localDecrypt(blobOrFile: Buffer | { file: string }): Promise<Buffer> {
    if (Buffer.isBuffer(blobOrFile)) return this.binaryCommand('+USECDATADEC', blobOrFile);
    return this.binary('+USECFILEDEC', `AT+USECFILEDEC=${quote(blobOrFile.file)}`);
  }

  readonly ztp = {
    /** The device key, certificate and CA chain, whatever the product's +USECDEVCERT numbering. */
    credentials: async (): Promise<ZtpCredentials> => {
      const test = (await this.client.send('AT+USECDEVCERT=?')).lines.join('');
      const n = /3\)/.test(test) ? NUMBERINGS.seed : NUMBERINGS.ubxlib;
      // The PEM's own line ends (\n) split the answer into several lines: join them back.
      const read = async (type: number) => {
        const text = (await this.client.send(`AT+USECDEVCERT=${type}`)).lines.join('\n');
        const m = /\+USECDEVCERT: \d+,"([\s\S]*)"$/.exec(text);
        if (!m) throw new Error(`unexpected +USECDEVCERT answer: ${text}`);
        return m[1]!;
      };
      return { key: await read(n.key), certificate: await read(n.certificate), caChain: await read(n.caChain) };
    },
  };

  private binaryCommand(name: string, data: Buffer | string): Promise<Buffer> {
    const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'latin1');
    return this.binary(name, `AT${name}=${bytes.length}`, bytes);
  }

  private async binary(name: string, command: string, prompt?: Buffer): Promise<Buffer> {
    const r = await this.client.send(command, { ...(prompt ? { prompt: { data: prompt } } : {}), binaryHeader: binaryHeader(name) });
    const data = r.binary[0];
    if (!data) throw new Error(`no ${name} data in the answer`);
    return data;
  }
}
