import https from 'node:https';
import { CloudRequestError } from './errors.js';
import type { DeviceInfo, E2eDownlinkParameters, E2eUplinkParameters, FeatureName, ProvisioningStatus, PskResult, RootCa } from './types.js';

export interface CloudClientOptions {
  /** e.g. `https://127.0.0.1:8443` (what `modemlab cloud` prints). */
  cloudUrl: string;
  apiKey: string;
  apiSecret: string;
  /** PEM the server certificate chains to (`<state>/ca.pem` of a local cloud); default: the system's roots. */
  ca?: string | Buffer;
  /** Per-request timeout; default 30 s. */
  timeoutMs?: number;
}

interface Tokens {
  auth: string;
  refresh: string;
}

const toHex = (v: string | Uint8Array): string => (typeof v === 'string' ? v : Buffer.from(v).toString('hex'));

/**
 * A small typed client for the security cloud's REST API (a backend's view: API key and
 * secret). It authenticates on first use, keeps one keep-alive HTTPS agent, and when an
 * AuthToken has expired (401) refreshes it — or authenticates again — and retries once.
 */
export class CloudClient {
  private readonly base: URL;
  private readonly agent: https.Agent;
  private tokens: Promise<Tokens> | undefined;

  constructor(private readonly opts: CloudClientOptions) {
    this.base = new URL(opts.cloudUrl);
    if (this.base.protocol !== 'https:') throw new TypeError('cloudUrl must be https://');
    this.agent = new https.Agent({ keepAlive: true, ca: opts.ca });
  }

  /** Sends one JSON request; resolves with the 200 body, rejects with CloudRequestError. */
  private send<T>(path: string, body: unknown, authorization?: string): Promise<T> {
    const payload = Buffer.from(JSON.stringify(body ?? {}));
    return new Promise<T>((resolve, reject) => {
      const req = https.request(
        new URL(path, this.base),
        {
          method: 'POST',
          agent: this.agent,
          timeout: this.opts.timeoutMs ?? 30_000,
          headers: { 'content-type': 'application/json', 'content-length': String(payload.length), ...(authorization ? { authorization } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown;
            try {
              parsed = text ? JSON.parse(text) : {};
            } catch {
              parsed = { Message: text };
            }
            if (res.statusCode === 200) return resolve(parsed as T);
            const message = typeof (parsed as { Message?: unknown }).Message === 'string' ? (parsed as { Message: string }).Message : text;
            reject(new CloudRequestError(res.statusCode ?? 0, path, message));
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${path}: no answer within ${this.opts.timeoutMs ?? 30_000} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  private authenticate(): Promise<Tokens> {
    return this.send<{ AuthToken: string; RefreshToken: string }>('/v1/authenticate', { APIKey: this.opts.apiKey, APISecret: this.opts.apiSecret }).then((r) => ({
      auth: r.AuthToken,
      refresh: r.RefreshToken,
    }));
  }

  /** A fresh AuthToken from the refresh token, or a new session when that is gone too. */
  private async renew(stale: Tokens): Promise<Tokens> {
    try {
      const r = await this.send<{ AuthToken: string }>('/v1/authenticate/refresh', { RefreshToken: stale.refresh });
      return { auth: r.AuthToken, refresh: stale.refresh };
    } catch (e) {
      if (e instanceof CloudRequestError && e.status === 401) return this.authenticate();
      throw e;
    }
  }

  /** POSTs to an authenticated endpoint (any path of the API) and returns its 200 body. */
  async call<T = Record<string, unknown>>(path: string, body: unknown = {}): Promise<T> {
    this.tokens ??= this.authenticate();
    const current = this.tokens;
    let tokens: Tokens;
    try {
      tokens = await current;
    } catch (e) {
      if (this.tokens === current) this.tokens = undefined; // let the next call try again
      throw e;
    }
    try {
      return await this.send<T>(path, body, tokens.auth);
    } catch (e) {
      if (!(e instanceof CloudRequestError) || e.status !== 401) throw e;
      // Several calls may see the expiry at once: the first renews, the others wait for it.
      if (this.tokens === current) this.tokens = this.renew(tokens);
      const renewed = this.tokens;
      try {
        return await this.send<T>(path, body, (await renewed).auth);
      } catch (e2) {
        if (e2 instanceof CloudRequestError && e2.status === 401 && this.tokens === renewed) this.tokens = undefined;
        throw e2;
      }
    }
  }

  /** GetPSK: the PSK of a module-generated identity (hex or bytes); `lengthBytes` as given to AT+USECPSK (the API takes bits). */
  async getPsk(keyId: string | Uint8Array, lengthBytes: 16 | 32 = 32): Promise<PskResult> {
    const r = await this.call<{ PSK: string; ROTPublicUID: string }>('/v1/psk/get', { KeyID: toHex(keyId), KeyLength: lengthBytes * 8 });
    return { psk: Buffer.from(r.PSK, 'base64'), keyLength: lengthBytes, rotUid: r.ROTPublicUID };
  }

  /** GetE2EDecryptionParameters for a key identity (the first 16 (V1) or 11 (V2) bytes of a blob). */
  e2eUplinkParameters(encryptedHeader: string | Uint8Array): Promise<E2eUplinkParameters> {
    return this.call('/v1/e2e/uplink/protectionparameters/get', { EncryptedHeader: toHex(encryptedHeader) });
  }

  e2eDownlinkParameters(rotUid: string): Promise<E2eDownlinkParameters> {
    return this.call('/v1/e2e/downlink/protectionparameters/get', { ROTPublicUID: rotUid });
  }

  async rotateE2eKey(rotUid: string): Promise<number> {
    return (await this.call<{ KeyEpoch: number }>('/v1/e2e/keyrotation/set', { ROTPublicUID: rotUid })).KeyEpoch;
  }

  device(rotUid: string): Promise<DeviceInfo> {
    return this.call('/v1/device/get', { ROTPublicUID: rotUid });
  }

  async setDeviceFeatures(rotUid: string, features: Partial<Record<FeatureName, boolean>>): Promise<void> {
    await this.call('/v1/device/features/set', { ROTPublicUID: rotUid, Features: features });
  }

  async createDeviceProfile(p: { name: string; features?: FeatureName[]; whitelist?: boolean; pricePlan?: string }): Promise<string> {
    const r = await this.call<{ DeviceProfileUID: string }>('/v1/deviceprofile/create', {
      Name: p.name,
      ...(p.features ? { Features: p.features } : {}),
      ...(p.whitelist === undefined ? {} : { Whitelist: p.whitelist }),
      ...(p.pricePlan ? { PricePlan: p.pricePlan } : {}),
    });
    return r.DeviceProfileUID;
  }

  createRootCa(p: { name: string; validityDays: number; subject: { CN: string; O?: string; C?: string } }): Promise<RootCa> {
    return this.call('/v1/ztp/rootca/create', { Name: p.name, KeyType: 'EC_P256', ValidityDays: p.validityDays, Subject: p.subject });
  }

  async popCertificate(rootCaUid: string, registrationCode: string): Promise<string> {
    return (await this.call<{ Certificate: string }>('/v1/ztp/rootca/popcertificate/generate', { RootCAUID: rootCaUid, CommonName: registrationCode })).Certificate;
  }

  async setBootstrapProvisioning(profileUid: string, cert: { enabled: boolean; rootCaUid: string; validityDays?: number }): Promise<void> {
    await this.call('/v1/deviceprofile/bootstrapprovisioning/set', {
      DeviceProfileUID: profileUid,
      DeviceCertificate: { Enabled: cert.enabled, RootCAUID: cert.rootCaUid, KeyType: 'EC_P256', ...(cert.validityDays ? { ValidityDays: cert.validityDays } : {}) },
    });
  }

  deviceProvisioning(rotUid: string): Promise<ProvisioningStatus> {
    return this.call('/v1/device/provisioning/get', { ROTPublicUID: rotUid });
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent.destroy();
  }
}
