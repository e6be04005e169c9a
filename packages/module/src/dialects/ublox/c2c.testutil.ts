import assert from 'node:assert/strict';
import { C2C_HOST_MAX_PLAIN, C2cDecoder, encryptConfirmation, sealFrames, type C2cKeys, type C2cVersion } from '@modemlab/at';
import type { ModuleHarness } from '../../testing/harness.js';
import { at, OK } from './ublox.testutil.js';

export const TE_SECRET = 'A0324CFF236F458048656C6C6F6F497D';

/** Keys from a +USECC2C: 0,0,... (or 3,0,...) answer. */
export function keysFrom(answer: string, teSecret: string, version: C2cVersion = 2): { keys: C2cKeys; tag?: Buffer } {
  const m = /\+USECC2C: [03],0,"([0-9A-F]{32})"(?:,"([0-9A-F]{32})","([0-9A-F]{32})")?/.exec(answer);
  assert.ok(m, `no keys in ${JSON.stringify(answer)}`);
  const keys: C2cKeys = { version, teSecret: Buffer.from(teSecret, 'hex'), encKey: Buffer.from(m[1]!, 'hex') };
  if (version === 2) keys.hmacKey = Buffer.from(m[2]!, 'hex');
  return { keys, ...(m[3] ? { tag: Buffer.from(m[3], 'hex') } : {}) };
}

/** Pairs `teSecret` (V2: and confirms it); returns the keys. */
export async function pairAndConfirm(h: ModuleHarness, teSecret = TE_SECRET): Promise<C2cKeys> {
  const { keys, tag } = keysFrom(await at(h, `AT+USECC2C=0,"${teSecret}"`), teSecret);
  const blob = encryptConfirmation(keys, tag!).toString('hex').toUpperCase();
  assert.equal(await at(h, `AT+USECC2C=4,"${teSecret}","${blob}"`), OK);
  return keys;
}

/** The host end of a C2C session on a harness: frames what it sends, decodes what comes back. */
export class HostC2c {
  readonly decoder: C2cDecoder;
  private plain: Buffer[] = [];

  constructor(
    private readonly h: ModuleHarness,
    readonly keys: C2cKeys,
  ) {
    this.decoder = new C2cDecoder(keys, (p) => this.plain.push(p));
  }

  frames(text: string | Buffer): Buffer {
    return sealFrames(this.keys, typeof text === 'string' ? Buffer.from(text, 'latin1') : text, C2C_HOST_MAX_PLAIN);
  }

  /** Sends raw wire bytes; returns the decoded answer and the raw output. */
  async sendWire(wire: Buffer): Promise<{ text: string; raw: Buffer }> {
    const raw = Buffer.from(await this.h.send(wire), 'latin1');
    this.decoder.push(raw);
    const text = Buffer.concat(this.plain).toString('latin1');
    this.plain = [];
    return { text, raw };
  }

  async at(command: string): Promise<string> {
    return (await this.sendWire(this.frames(`${command}\r`))).text;
  }
}
