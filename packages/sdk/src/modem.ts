/** The vendor-neutral face of a cellular module; u-blox, Telit and Quectel drivers implement it. */

export interface ModemIdentity {
  manufacturer: string;
  model: string;
  revision: string;
  imei: string;
  imsi?: string;
  iccid?: string;
}

export interface AttachOptions {
  apn: string;
  /** Time allowed for the whole attach (radio on, registration, PDP activation). */
  timeoutMs?: number;
}

export interface AttachResult {
  /** The address the network assigned to the activated context. */
  ip: string;
}

export interface CellularModem {
  identify(): Promise<ModemIdentity>;
  attach(opts: AttachOptions): Promise<AttachResult>;
  /** Resolves a host name with the module's DNS; returns the address. */
  resolve(name: string, opts?: { timeoutMs?: number }): Promise<string>;
  close(): Promise<void>;
}
