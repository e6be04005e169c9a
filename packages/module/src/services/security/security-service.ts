import { ztpKeyPair, type Clock, type TimerHandle } from '@modemlab/at';
import type { SecurityServiceTable } from '../../models/security-service-table.js';
import type { PdpContexts } from '../network/pdp.js';
import type { RootOfTrust } from '../rot/root-of-trust.js';
import { CloudRefused, CloudUnreachable, type CloudEndpoint, type CloudLink } from './cloud-link.js';
import type { SecurityFeature, SecurityRecord, SecurityState } from './security-state.js';

/** Why the module refused a security-service request; each dialect maps these to its errors. */
export type SecurityRefusal =
  /** The product has no security service. */
  | 'not-supported'
  /** Bootstrap has not completed (+USECCONN before it). */
  | 'not-bootstrapped'
  /** +USECCONN within the product's minimum heartbeat interval. */
  | 'rate-limited'
  /** No data path, the service unknown or unreachable, TLS failed, no answer in time. */
  | 'no-connectivity'
  /** The service answered an error (a clone, an unknown root of trust...). */
  | 'cloud-refused'
  /** The SEC subsystem is still starting after power-on (the product's startupBusyMs). */
  | 'starting';

export class SecurityServiceError extends Error {
  override readonly name = 'SecurityServiceError';
  constructor(
    readonly reason: SecurityRefusal,
    message?: string,
  ) {
    super(message ?? reason);
  }
}

/** What every module-facing route of the cloud answers (packages/cloud routes/module.ts). */
interface ModuleStatus {
  State: string;
  DeviceInfo: string;
  Cloned: boolean;
  Features: Record<string, boolean>;
  KeyEpoch: number;
  Revocations: string[];
  HeartbeatIntervalSeconds?: number;
  /** A heartbeat's: the service holds a ZTP certificate to (re)issue; enrol again. */
  ZtpReissue?: boolean;
}

interface Enrolment {
  Status: string;
  DeviceCertificate?: string;
  CACertificates?: string;
}

export interface SecurityServiceDeps {
  /** The product's row; absent: no security service. */
  table: SecurityServiceTable | undefined;
  state: SecurityState;
  link: CloudLink;
  pdp: PdpContexts;
  rot: RootOfTrust;
  clock: Clock;
  endpoint?: CloudEndpoint;
  log?: (message: string, detail?: unknown) => void;
}

/**
 * The module's side of the security service (seed 001 §4): bootstrap at first connectivity,
 * sealing once into a DeviceProfileUID and serial, periodic heartbeats and the host's
 * +USECCONN with the product's rate limit, features and key epoch into SecurityState, the
 * ZTP certificate fetched once the device is sealed with ZTP authorized. Exchanges run one
 * at a time (the cloud's anti-cloning counter requires it); failures are logged and tried
 * again after the product's retry time or at the next data-path activation.
 */
export class SecurityService {
  private endpointValue: CloudEndpoint | undefined;
  private powered = false;
  /** Module time of the last power-on (the SEC subsystem's start). */
  private poweredAt = 0;
  private tail: Promise<void> = Promise.resolve();
  private retryTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  /** The periodic heartbeat fell due while there was no data path: send it at the next one. */
  private heartbeatDue = false;
  /** Settles when the heartbeat exchange in progress is over (commandGate). */
  private heartbeatRunning: Promise<void> | undefined;
  /** The last heartbeat said a new ZTP certificate waits: converge enrols again. */
  private ztpReissue = false;
  /** Aborted at power-off: an exchange in progress is lost (and starts again from the beginning). */
  private power = new AbortController();

  constructor(private readonly deps: SecurityServiceDeps) {
    this.endpointValue = deps.endpoint;
    deps.pdp.on('context', (e) => {
      if (e.active) this.sync();
    });
  }

  get supported(): boolean {
    return this.deps.table !== undefined;
  }

  get endpoint(): CloudEndpoint | undefined {
    return this.endpointValue;
  }

  /** Points the module at a security service (`serve --cloud`), or at none; syncs if it can. */
  configure(endpoint: CloudEndpoint | undefined): void {
    this.endpointValue = endpoint;
    this.sync();
  }

  powerOn(): void {
    this.powered = true;
    this.poweredAt = this.deps.clock.now();
    this.armHeartbeat();
    this.sync();
  }

  powerOff(): void {
    this.powered = false;
    this.power.abort();
    this.power = new AbortController();
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = undefined;
  }

  /**
   * Refuses with 'starting' while the SEC subsystem starts after power-on (the product's
   * startupBusyMs on the module clock); changes nothing.
   */
  assertStarted(): void {
    const table = this.deps.table;
    if (!table) throw new SecurityServiceError('not-supported');
    const since = this.deps.clock.now() - this.poweredAt;
    if (since < table.startupBusyMs) {
      this.log('security: SEC busy, the subsystem is starting', { sincePowerOnMs: since, startupBusyMs: table.startupBusyMs });
      throw new SecurityServiceError('starting', `SEC starting (${since} ms after power-on)`);
    }
  }

  /**
   * The heartbeat in progress when the product blocks every command during it
   * ('all-commands', SARA-R5); undefined otherwise. Never rejects.
   */
  commandGate(): Promise<void> | undefined {
    if (this.deps.table?.heartbeatBlocks !== 'all-commands' || !this.heartbeatRunning) return undefined;
    this.log('security: command held until the heartbeat is over');
    return this.heartbeatRunning;
  }

  /** Resolves once the exchanges queued so far are over (what +USECDEVINFO? waits for). */
  settled(): Promise<void> {
    return this.tail;
  }

  /**
   * AT+USECDEVINFO="<uid>","<serial>": sealing is requested once; the exchange with the
   * service follows when it can. Returns false when ignored (a seal was requested before:
   * seed 001 §4.1, "any subsequent calls to this AT command are ignored").
   */
  requestSeal(profileUid: string, serial: string): boolean {
    if (!this.supported) throw new SecurityServiceError('not-supported');
    const r = this.deps.state.record;
    if (r.sealRequest || r.sealed) {
      this.log('security: seal request ignored, the device was sealed before', { profileUid, serial });
      return false;
    }
    this.deps.state.update((s) => void (s.sealRequest = { profileUid, serial }));
    this.sync();
    return true;
  }

  /**
   * AT+USECCONN: a heartbeat now, answered when the service has. Refused without contacting
   * the service before bootstrap and within the product's minimum interval of the last one.
   */
  heartbeat(): Promise<void> {
    const table = this.deps.table;
    if (!table) return Promise.reject(new SecurityServiceError('not-supported'));
    // Checked in turn, after an exchange in progress (a periodic heartbeat) has landed.
    return this.enqueue(async () => {
      const r = this.deps.state.record;
      if (!r.bootstrapped) throw new SecurityServiceError('not-bootstrapped', 'bootstrap has not completed');
      const since = r.lastHeartbeatAt === undefined ? Infinity : this.deps.clock.now() - r.lastHeartbeatAt;
      if (since < table.heartbeatMinIntervalMs) {
        this.log('security: heartbeat refused, rate limited', { sinceMs: since, minIntervalMs: table.heartbeatMinIntervalMs });
        throw new SecurityServiceError('rate-limited', `last heartbeat ${since} ms ago`);
      }
      await this.sendHeartbeat();
      await this.converge();
    });
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.tail.then(job);
    this.tail = run.catch(() => {});
    return run;
  }

  /** Brings the module's standing up to date with what it still owes the service. */
  private sync(): void {
    if (!this.ready()) return;
    this.enqueue(async () => {
      if (!this.ready()) return;
      try {
        if (this.heartbeatDue) await this.sendHeartbeat();
        await this.converge();
        this.retryTimer?.cancel();
        this.retryTimer = undefined;
      } catch (err) {
        this.log('security: exchange with the security service failed', (err as Error).message);
        // Unreachable, a server error, a root of trust not registered yet (401): try again
        // later. A clone (409) is final until the owner sorts it out with the service.
        if (!(err instanceof CloudRefused && err.status === 409)) this.scheduleRetry();
      }
    }).catch(() => {});
  }

  private ready(): boolean {
    return this.powered && this.deps.table !== undefined && this.endpointValue !== undefined && this.deps.pdp.hasDataPath();
  }

  private scheduleRetry(): void {
    if (this.retryTimer || !this.deps.table || !this.powered) return;
    this.retryTimer = this.deps.clock.setTimeout(() => {
      this.retryTimer = undefined;
      this.sync();
    }, this.deps.table.retryMs);
  }

  /** Bootstrap, then the seal the host asked for, then the ZTP certificate, each once. */
  private async converge(): Promise<void> {
    if (!this.deps.state.record.bootstrapped) {
      this.apply(await this.post<ModuleStatus>('/v1/module/bootstrap', {}));
      this.log('security: bootstrapped', { rotUid: this.deps.rot.uid });
      this.armHeartbeat();
    }
    const r = this.deps.state.record;
    if (r.sealRequest && !r.sealed) {
      try {
        this.apply(await this.post<ModuleStatus>('/v1/module/seal', { DeviceProfileUID: r.sealRequest.profileUid, DeviceSerialNumber: r.sealRequest.serial }));
        this.log('security: sealed', r.sealRequest);
      } catch (err) {
        // A profile the service does not know stays requested: the seed's warning about
        // sealing the wrong DeviceProfileUID; a later heartbeat tries again (two-stage bootstrap).
        if (!(err instanceof CloudRefused) || err.status >= 500) throw err;
        this.log('security: seal refused by the security service', err.message);
      }
    }
    const now = this.deps.state.record;
    if (now.sealed && now.features.includes('ZTP') && (!now.ztp || this.ztpReissue)) await this.enrolZtp();
  }

  private async sendHeartbeat(): Promise<void> {
    const table = this.deps.table!;
    const exchange = this.post<ModuleStatus>('/v1/module/heartbeat', { KeyEpoch: this.deps.state.record.keyEpoch });
    const running = exchange.then(
      () => {},
      () => {},
    );
    this.heartbeatRunning = running;
    void running.then(() => {
      if (this.heartbeatRunning === running) this.heartbeatRunning = undefined;
    });
    try {
      const status = await exchange;
      this.heartbeatDue = false;
      this.deps.state.update((s) => void (s.lastHeartbeatAt = this.deps.clock.now()));
      this.apply(status);
    } catch (err) {
      if (err instanceof CloudRefused) {
        this.heartbeatDue = false;
        // The service knows the request reached it: the heartbeat counts as sent.
        const cloned = err.status === 409 && /clon/i.test(err.message);
        this.deps.state.update((s) => {
          s.lastHeartbeatAt = this.deps.clock.now();
          if (err.status === 401 || err.status === 409) {
            s.features = [];
            if (cloned) s.cloned = true;
          }
        });
        this.log('security: heartbeat refused by the security service; features withdrawn', err.message);
      }
      // Unreachable: a periodic heartbeat stays due (heartbeatDue) for the next data path.
      throw err;
    } finally {
      this.armHeartbeat(table);
    }
  }

  /** The device key derived from the root of trust (generation 0), its certificate from the service. */
  private async enrolZtp(): Promise<void> {
    const pair = ztpKeyPair(this.deps.rot.secret, 0);
    const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
    try {
      const e = await this.post<Enrolment>('/v1/module/ztp/enrol', { PublicKey: spki.toString('base64') });
      if (!e.DeviceCertificate) return;
      const key = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
      const reissued = this.deps.state.record.ztp !== undefined;
      this.deps.state.update((s) => void (s.ztp = { key, certificate: e.DeviceCertificate!, caChain: e.CACertificates ?? '' }));
      this.ztpReissue = false;
      this.log(reissued ? 'security: ZTP device certificate re-issued' : 'security: ZTP device certificate received');
    } catch (err) {
      // No certificate provisioned for this device (403): ZTP stays empty until a heartbeat retries.
      if (!(err instanceof CloudRefused) || err.status >= 500) throw err;
      this.log('security: ZTP enrolment refused by the security service', err.message);
    }
  }

  private apply(status: ModuleStatus): void {
    const features = Object.entries(status.Features ?? {})
      .filter(([, on]) => on === true)
      .map(([name]) => name as SecurityFeature);
    this.deps.state.update((s: SecurityRecord) => {
      s.bootstrapped = true;
      s.sealed = status.DeviceInfo === '1,1,1';
      s.features = status.Cloned ? [] : features;
      s.keyEpoch = status.KeyEpoch;
      s.cloned = status.Cloned;
      if (status.HeartbeatIntervalSeconds) s.heartbeatPeriodMs = status.HeartbeatIntervalSeconds * 1000;
    });
    if (status.ZtpReissue !== undefined) this.ztpReissue = status.ZtpReissue;
    if (status.Revocations?.length) this.log('security: features revoked by the security service', status.Revocations);
  }

  private async post<T>(path: string, body: unknown): Promise<T> {
    const endpoint = this.endpointValue;
    if (!endpoint) throw new SecurityServiceError('no-connectivity', 'no security service configured');
    return this.deps.link.post<T>(endpoint, path, body, this.deps.table!.exchangeTimeoutMs, this.power.signal);
  }

  /** The automatic heartbeat, one period after the last (module clock). */
  private armHeartbeat(table = this.deps.table): void {
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = undefined;
    const r = this.deps.state.record;
    if (!table || !this.powered || !r.bootstrapped) return;
    const period = r.heartbeatPeriodMs ?? table.heartbeatPeriodMs;
    const last = r.lastHeartbeatAt ?? this.deps.clock.now();
    const wait = Math.max(0, last + period - this.deps.clock.now());
    this.heartbeatTimer = this.deps.clock.setTimeout(() => {
      this.heartbeatTimer = undefined;
      this.heartbeatDue = true;
      this.sync();
    }, wait);
  }

  private log(message: string, detail?: unknown): void {
    this.deps.log?.(message, detail);
  }
}

/** A refusal in the module's terms, whatever failed underneath. */
export function securityRefusal(err: unknown): SecurityServiceError {
  if (err instanceof SecurityServiceError) return err;
  if (err instanceof CloudRefused) return new SecurityServiceError('cloud-refused', err.message);
  if (err instanceof CloudUnreachable) return new SecurityServiceError('no-connectivity', err.message);
  return new SecurityServiceError('no-connectivity', (err as Error)?.message);
}
