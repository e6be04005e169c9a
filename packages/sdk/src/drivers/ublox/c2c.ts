/**
 * Chip-to-chip security from the host (+USECC2C; ubxlib's uSecurityC2c*): pair once in a
 * safe place and keep the keys, confirm (V2), then open and close sessions. After `open()`
 * the AtClient's stream is wrapped in the C2C intercept, so every other call of the SDK
 * works unchanged, encrypted; `close()` takes it off after the framed OK.
 */
import { C2C_KEY_BYTES, encryptConfirmation, type C2cDropReason, type C2cKeys } from '@modemlab/at';
import type { AtClient } from '../../at-client.js';
import { C2C_INTERCEPT, C2cIntercept } from '../../c2c-intercept.js';
import { AtError } from '../../errors.js';
import { paramsOf, quote } from '../../params.js';

/** What pairing gives the host, to be stored safely: the keys, and (V2) the tag to confirm with. */
export interface C2cPairing {
  keys: C2cKeys;
  /** V2: the confirmation tag `confirm()` sends back encrypted. */
  confirmationTag?: Buffer;
}

const HEX32 = /^[0-9A-Fa-f]{32}$/;
const upperHex = (b: Buffer): string => b.toString('hex').toUpperCase();

export class UbloxC2c {
  private current?: C2cPairing;
  private intercept?: C2cIntercept;

  constructor(
    private readonly client: AtClient,
    private readonly options: { onDrop?: (reason: C2cDropReason) => void } = {},
  ) {}

  /** The pairing the last `pair()` returned (or the one `open()` was given). */
  get pairing(): C2cPairing | undefined {
    return this.current;
  }

  /** True while a session is open (the intercept is in place). */
  get isOpen(): boolean {
    return this.client.intercepts.includes(C2C_INTERCEPT);
  }

  /** The open session's intercept counters (dropped frames by reason), if any. */
  get stats(): C2cIntercept['stats'] | undefined {
    return this.intercept?.stats;
  }

  /** `AT+USECC2C=0`: V1 if the module answers the key only, V2 if it adds the HMAC key and tag. */
  async pair(teSecret: Buffer): Promise<C2cPairing> {
    if (teSecret.length !== C2C_KEY_BYTES) throw new RangeError('the TE secret is 16 bytes');
    const command = `AT+USECC2C=0,${quote(upperHex(teSecret))}`;
    const response = await this.client.send(command, { timeoutMs: 150_000 });
    const p = paramsOf(response.lines, '+USECC2C');
    const bad = (why: string): AtError => new AtError(command, [...response.lines, response.finalLine], `${command}: ${why}`);
    if (!p || p[0] !== '0' || p[1] !== '0' || !HEX32.test(p[2] ?? '')) throw bad('no key in the response');
    const keys: C2cKeys = { version: 1, teSecret: Buffer.from(teSecret), encKey: Buffer.from(p[2]!, 'hex') };
    let pairing: C2cPairing = { keys };
    if (p.length > 3) {
      if (!HEX32.test(p[3] ?? '') || !HEX32.test(p[4] ?? '')) throw bad('V2 needs an HMAC key and a confirmation tag of 16 bytes');
      pairing = { keys: { ...keys, version: 2, hmacKey: Buffer.from(p[3]!, 'hex') }, confirmationTag: Buffer.from(p[4]!, 'hex') };
    }
    this.current = pairing;
    return pairing;
  }

  /** `AT+USECC2C=4` (V2): proves the host holds the keys; needed before the first open. A V1 pairing needs nothing. */
  async confirm(pairing: C2cPairing | undefined = this.current): Promise<void> {
    if (!pairing) throw new Error('nothing to confirm: pair first');
    if (pairing.keys.version !== 2 || !pairing.confirmationTag) return;
    const blob = encryptConfirmation(pairing.keys, pairing.confirmationTag);
    await this.client.send(`AT+USECC2C=4,${quote(upperHex(pairing.keys.teSecret))},${quote(upperHex(blob))}`, { timeoutMs: 150_000 });
  }

  /** `AT+USECC2C=1`: the OK comes in clear; every byte after it, both ways, is framed. */
  async open(pairing: C2cPairing | undefined = this.current): Promise<void> {
    if (!pairing) throw new Error('no pairing to open a session with');
    if (this.isOpen) return;
    const intercept = new C2cIntercept(pairing.keys, this.options.onDrop ? { onDrop: this.options.onDrop } : {});
    await this.client.send(`AT+USECC2C=1,${quote(upperHex(pairing.keys.teSecret))}`, {
      timeoutMs: 150_000,
      onSuccess: () => this.client.addIntercept(intercept),
    });
    this.current = pairing;
    this.intercept = intercept;
  }

  /** `AT+USECC2C=2`, framed; the intercept comes off after its framed OK. */
  async close(): Promise<void> {
    if (!this.isOpen) return;
    await this.client.send('AT+USECC2C=2', { onSuccess: () => this.client.removeIntercept(C2C_INTERCEPT) });
    this.intercept = undefined;
  }

  /**
   * The module lost the session without a command (it rebooted or powered off, as
   * ubxlib's uCellPwrOff drops its context): takes the intercept off here too.
   */
  forget(): void {
    this.client.removeIntercept(C2C_INTERCEPT);
    this.intercept = undefined;
  }
}
