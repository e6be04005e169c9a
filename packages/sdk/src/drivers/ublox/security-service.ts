import type { AtClient } from '../../at-client.js';
import { AtError, CmeError } from '../../errors.js';
import { paramsOf, quote } from '../../params.js';

/** A security exchange (heartbeat, seal) may take up to 150 s (ubxlib U_CELL_SEC_TRANSACTION_TIMEOUT_SECONDS). */
export const SECURITY_TRANSACTION_TIMEOUT_MS = 150_000;

/**
 * A freshly booted module answers `+CME ERROR: SEC busy` while its security subsystem starts
 * (notes security-service.md §1.1; modemlab: code 1950, 1 s after power-on). The SDK asks
 * again every `delayMs` until `maxWaitMs` have passed, then lets the error through.
 */
export interface SecBusyRetry {
  delayMs: number;
  maxWaitMs: number;
}

export const SEC_BUSY_RETRY: SecBusyRetry = { delayMs: 250, maxWaitMs: 15_000 };

/** `+CME ERROR: SEC busy` (verbose) or its number 1950 (`+CMEE=1`). */
export function isSecBusy(err: unknown): boolean {
  return err instanceof CmeError && (err.code === 1950 || /^SEC busy$/i.test(err.text ?? ''));
}

/** `+USECDEVINFO?`: module registered with the service, device sealed (registered), device activated. */
export interface DeviceInfo {
  moduleRegistered: boolean;
  deviceRegistered: boolean;
  deviceActivated: boolean;
}

/**
 * The root of trust and the u-blox security service as ubxlib drives them (u_cell_sec.c):
 * +USECCHIP, +USECROTUID, +USECDEVINFO (seal and status), +USECCONN (heartbeat).
 */
export class UbloxSecurityService {
  constructor(
    private readonly client: AtClient,
    private readonly busyRetry: SecBusyRetry = SEC_BUSY_RETRY,
  ) {}

  /** The immutable chip id (`AT+USECCHIP`). */
  async chipId(): Promise<string> {
    return this.value('AT+USECCHIP', '+USECCHIP');
  }

  /** The root of trust's public UID, 16 hex characters (`AT+USECROTUID`). */
  async rotUid(): Promise<string> {
    const uid = await this.value('AT+USECROTUID', '+USECROTUID');
    if (!/^[0-9A-Fa-f]{16}$/.test(uid)) throw new AtError('AT+USECROTUID', [uid], `AT+USECROTUID: not 16 hex characters: ${uid}`);
    return uid.toUpperCase();
  }

  async deviceInfo(): Promise<DeviceInfo> {
    const command = 'AT+USECDEVINFO?';
    const response = await this.secSend(command, SECURITY_TRANSACTION_TIMEOUT_MS);
    const p = paramsOf(response.lines, '+USECDEVINFO');
    if (!p || p.length < 3 || p.slice(0, 3).some((v) => v !== '0' && v !== '1')) {
      throw new AtError(command, [...response.lines, response.finalLine], `${command}: no status triple in the response`);
    }
    return { moduleRegistered: p[0] === '1', deviceRegistered: p[1] === '1', deviceActivated: p[2] === '1' };
  }

  /** Bootstrapped: `1,x,1` (ubxlib uSecurityIsBootstrapped). */
  async isBootstrapped(): Promise<boolean> {
    const i = await this.deviceInfo();
    return i.moduleRegistered && i.deviceActivated;
  }

  /** Sealed: `1,1,1` (ubxlib uSecurityIsSealed). */
  async isSealed(): Promise<boolean> {
    const i = await this.deviceInfo();
    return i.moduleRegistered && i.deviceRegistered && i.deviceActivated;
  }

  /**
   * Seals the DeviceProfileUID and serial into the module (once only: the module ignores
   * later calls), then reads the status once and tells whether the device is sealed now.
   * A module that seals later (no connectivity yet) answers false: ask isSealed() again.
   */
  async seal(profileUid: string, serial: string): Promise<boolean> {
    await this.secSend(`AT+USECDEVINFO=${quote(profileUid)},${quote(serial)}`);
    return this.isSealed();
  }

  /** A security heartbeat now (`AT+USECCONN`); the module refuses one within its rate limit (CmeError). */
  async heartbeat(): Promise<void> {
    await this.secSend('AT+USECCONN', SECURITY_TRANSACTION_TIMEOUT_MS);
  }

  /** Sends a security-service command, asking again while the module answers SEC busy. */
  private async secSend(command: string, timeoutMs?: number) {
    const started = Date.now();
    for (;;) {
      try {
        return await this.client.send(command, timeoutMs === undefined ? {} : { timeoutMs });
      } catch (err) {
        if (!isSecBusy(err) || Date.now() - started + this.busyRetry.delayMs > this.busyRetry.maxWaitMs) throw err;
        await new Promise((r) => setTimeout(r, this.busyRetry.delayMs));
      }
    }
  }

  private async value(command: string, prefix: string): Promise<string> {
    const response = await this.client.send(command);
    const v = paramsOf(response.lines, prefix)?.[0];
    if (v === undefined || v === '') throw new AtError(command, [...response.lines, response.finalLine], `${command}: no ${prefix} in the response`);
    return v;
  }
}
