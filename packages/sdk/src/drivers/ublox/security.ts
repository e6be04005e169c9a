import type { AtClient } from '../../at-client.js';
import { UbloxSecurityService, type DeviceInfo } from './security-service.js';
import { UbloxC2c } from './c2c.js';
import { UbloxSecurityKeys, type RotPsk } from './security-keys.js';

/**
 * `modem.security`: the u-blox security suite, composed here from one part per file. The
 * root of trust, seal, bootstrap and heartbeat are security-service.ts; further parts (the
 * chip-to-chip channel, RoT PSK, E2E, local data protection, ZTP) are each their own class
 * and get one member or delegating method below.
 */
export class UbloxSecurity {
  private readonly service: UbloxSecurityService;
  /** Chip-to-chip sessions (+USECC2C). */
  readonly c2c: UbloxC2c;
  /** RoT PSK, E2E, local data protection and ZTP credentials (security-keys.ts). */
  readonly keys: UbloxSecurityKeys;
  readonly ztp: UbloxSecurityKeys['ztp'];

  constructor(readonly client: AtClient) {
    this.service = new UbloxSecurityService(client);
    this.c2c = new UbloxC2c(client);
    this.keys = new UbloxSecurityKeys(client);
    this.ztp = this.keys.ztp;
  }

  chipId(): Promise<string> {
    return this.service.chipId();
  }

  rotUid(): Promise<string> {
    return this.service.rotUid();
  }

  deviceInfo(): Promise<DeviceInfo> {
    return this.service.deviceInfo();
  }

  isBootstrapped(): Promise<boolean> {
    return this.service.isBootstrapped();
  }

  isSealed(): Promise<boolean> {
    return this.service.isSealed();
  }

  seal(profileUid: string, serial: string): Promise<boolean> {
    return this.service.seal(profileUid, serial);
  }

  heartbeat(): Promise<void> {
    return this.service.heartbeat();
  }

  psk(length: 16 | 32): Promise<RotPsk> {
    return this.keys.psk(length);
  }

  e2eEncrypt(data: Buffer | string): Promise<Buffer> {
    return this.keys.e2eEncrypt(data);
  }

  e2eDecrypt(blob: Buffer): Promise<Buffer> {
    return this.keys.e2eDecrypt(blob);
  }

  localEncrypt(data: Buffer | string, file?: string): Promise<Buffer | undefined> {
    return this.keys.localEncrypt(data, file);
  }

  localDecrypt(blobOrFile: Buffer | { file: string }): Promise<Buffer> {
    return this.keys.localDecrypt(blobOrFile);
  }
}
