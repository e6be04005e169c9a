import { isIP } from 'node:net';
import type { HttpTable } from '../../models/http-table.js';

/** One HTTP client profile, RAM only: a reset or a power cycle brings the defaults back. */
export interface HttpProfile {
  /** Server by address (op 0) or by name (op 1); setting one clears the other. */
  serverIp: string;
  serverName: string;
  username: string;
  password: string;
  /** 0 none, 1 basic. */
  authType: number;
  /** Port given explicitly with op 5; undefined = the default of the scheme (80 / 443). */
  port?: number;
  secure: boolean;
  /** Security profile (+USECPRF) used when secure. */
  securityProfile: number;
  /** Inactivity timeout, seconds. */
  timeoutS: number;
  /** Custom request headers by id. */
  headers: Array<{ name: string; value: string } | undefined>;
}

export type HttpConfigFailure = 'bad-value' | 'bad-profile';

export class HttpConfigError extends Error {
  constructor(
    readonly reason: HttpConfigFailure,
    message?: string,
  ) {
    super(message ?? reason);
  }
}

const HTTP_PORT = 80;
const HTTPS_PORT = 443;

export class HttpProfiles {
  private profiles: HttpProfile[];

  constructor(private readonly table: HttpTable) {
    this.profiles = Array.from({ length: table.profiles }, () => this.defaults());
  }

  get count(): number {
    return this.table.profiles;
  }

  /** A copy of profile `id`. */
  get(id: number): HttpProfile {
    return structuredClone(this.at(id));
  }

  /** The port a request uses: the one set with op 5, else the scheme's. */
  effectivePort(id: number): number {
    const p = this.at(id);
    return p.port ?? (p.secure ? HTTPS_PORT : HTTP_PORT);
  }

  reset(id: number): void {
    this.at(id);
    this.profiles[id] = this.defaults();
  }

  resetAll(): void {
    this.profiles = Array.from({ length: this.table.profiles }, () => this.defaults());
  }

  setServerIp(id: number, ip: string): void {
    const p = this.at(id);
    if (isIP(ip) !== 4) throw new HttpConfigError('bad-value', `not an IPv4 address: ${ip}`);
    p.serverIp = ip;
    p.serverName = '';
  }

  setServerName(id: number, name: string): void {
    const p = this.at(id);
    if (name.length === 0 || name.length > this.table.maxServerName) throw new HttpConfigError('bad-value', 'server name length');
    p.serverName = name;
    p.serverIp = '';
  }

  setCredential(id: number, field: 'username' | 'password', value: string): void {
    const p = this.at(id);
    if (value.length > this.table.maxCredential) throw new HttpConfigError('bad-value', `${field} too long`);
    p[field] = value;
  }

  setAuthType(id: number, type: number): void {
    const p = this.at(id);
    if (type !== 0 && type !== 1) throw new HttpConfigError('bad-value', 'auth type');
    p.authType = type;
  }

  setPort(id: number, port: number): void {
    const p = this.at(id);
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new HttpConfigError('bad-value', 'port');
    p.port = port;
  }

  /**
   * Secure on or off. The port follows the scheme (443 / 80) unless one was given with
   * op 5, as ubxlib expects (it sets op 5 itself only when the user did not).
   */
  setSecure(id: number, secure: boolean, securityProfile: number): void {
    const p = this.at(id);
    p.secure = secure;
    p.securityProfile = secure ? securityProfile : 0;
  }

  setTimeout(id: number, seconds: number): void {
    const p = this.at(id);
    const { min, max } = this.table.timeoutRangeS;
    if (!Number.isInteger(seconds) || seconds < min || seconds > max) throw new HttpConfigError('bad-value', 'timeout');
    p.timeoutS = seconds;
  }

  /** Sets (or, with an empty name, clears) custom header `headerId`. */
  setHeader(id: number, headerId: number, name: string, value: string): void {
    const p = this.at(id);
    if (!Number.isInteger(headerId) || headerId < 0 || headerId >= this.table.customHeaders) throw new HttpConfigError('bad-value', 'header id');
    if (name === '') {
      p.headers[headerId] = undefined;
      return;
    }
    // A token as RFC 9110 defines header names; values without line breaks.
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) throw new HttpConfigError('bad-value', 'header');
    p.headers[headerId] = { name, value };
  }

  private at(id: number): HttpProfile {
    const p = this.profiles[id];
    if (!p) throw new HttpConfigError('bad-profile', `HTTP profile ${id}`);
    return p;
  }

  private defaults(): HttpProfile {
    return {
      serverIp: '',
      serverName: '',
      username: '',
      password: '',
      authType: 0,
      secure: false,
      securityProfile: 0,
      timeoutS: this.table.inactivityTimeoutMs / 1000,
      headers: Array.from({ length: this.table.customHeaders }, () => undefined),
    };
  }
}
