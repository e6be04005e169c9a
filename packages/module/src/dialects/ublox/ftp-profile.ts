import type { ModuleHost } from '../../module-host.js';
import type { FtpErrorPair } from './ftp-errors.js';
import { FTP_NO_ERROR } from './ftp-errors.js';

/**
 * The +UFTP profile (SARA-R5: one, volatile — lost at power-off, never in NVM; the manual
 * says the values are "all volatile"), and the last error for +UFTPER.
 */
export interface FtpProfile {
  serverIp: string;
  serverName: string;
  username: string;
  password: string;
  account: string;
  /** <inactivity_timeout> in seconds; 0: no timeout. */
  inactivityS: number;
  /** 0 active, 1 passive. */
  mode: 0 | 1;
  port: number;
  secure: boolean;
  securityProfile: number;
}

export const FTP_PROFILE_DEFAULTS: Readonly<FtpProfile> = {
  serverIp: '',
  serverName: '',
  username: '',
  password: '',
  account: '',
  inactivityS: 30,
  mode: 0,
  port: 21,
  secure: false,
  securityProfile: 0,
};

export interface UbloxFtpState {
  profile: FtpProfile;
  lastError: FtpErrorPair;
  /** The +UFTPC op code running (its URC still to come), if any. */
  running?: number;
}

export function ftpState(module: ModuleHost): UbloxFtpState {
  return module.state('ublox.ftp', () => ({ profile: { ...FTP_PROFILE_DEFAULTS }, lastError: FTP_NO_ERROR }));
}
