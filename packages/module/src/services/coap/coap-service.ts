import { EventEmitter } from 'node:events';
import type { Clock } from '@modemlab/at';
import type { NvmStore } from '../../nvm/store.js';
import { ServiceError } from '../errors.js';
import type { Dialer } from '../net/dialer.js';
import { SocketError } from '../net/errors.js';
import { defaultCoapConfig, parseCoapUri, type CoapConfig } from './config.js';
import { CoapExchanger, CoapFailure, type CoapReply, type CoapRequest } from './exchange.js';
import { Method, Opt, uintOption, type CoapMethod, type CoapOption } from './message.js';
import { Observation } from './observe.js';
import { openTransport, type CoapTransport, type TransportKind, type TransportTarget } from './transport.js';

/** Number of profiles kept in NVM. */
export const COAP_PROFILES = 4;
/** Largest request payload (the AT line carries it in hex). */
export const MAX_COAP_PAYLOAD = 512;

/** Why a request failed; 'server' is a response outside 2.xx (its code in `code`). */
export type CoapFailureKind = 'config' | 'dns' | 'no-data-path' | 'connect' | 'security' | 'timeout' | 'reset' | 'closed' | 'protocol' | 'server' | 'observe';

export interface CoapError {
  kind: CoapFailureKind;
  /** The response code of a 'server' failure. */
  code?: number;
  /** What is wrong with a 'config' failure. */
  reason?: CoapConfigReason;
}

export type CoapConfigReason = 'not-valid' | 'no-uri' | 'bad-uri' | 'payload' | 'profile' | 'no-observation';

export class CoapConfigError extends Error {
  constructor(readonly reason: CoapConfigReason, message: string) {
    super(message);
  }
}
export class CoapBusyError extends Error {}

export interface CoapRequestSpec {
  method: CoapMethod;
  payload?: Buffer;
  contentFormat?: number;
}

export interface CoapEvents {
  /** One response message (a Block2 block); `more` says another follows. */
  reply: [{ method: CoapMethod; reply: CoapReply }];
  /** The request ended: ok for a 2.xx answer. */
  result: [{ method: CoapMethod; ok: boolean; error?: CoapError }];
  /** One message of the observation (RFC 7641); `seq` is its Observe value, absent on a final one. */
  notification: [{ reply: CoapReply; seq?: number }];
  /** register: the registration's outcome; deregister: the cancellation done; end: the server or the transport ended it. */
  observe: [{ op: 'register' | 'deregister' | 'end'; ok: boolean; error?: CoapError }];
}

interface StoredProfiles {
  profiles: (CoapConfig | null)[];
}

/**
 * The module's CoAP client: one current configuration (RAM), COAP_PROFILES profiles in NVM,
 * one request at a time, each on its own transport opened through the one dialer and closed
 * when the request ends. The last failure is kept for the dialect's error command.
 */
export class CoapService extends EventEmitter<CoapEvents> {
  private current = defaultCoapConfig();
  private selected = 0;
  private running?: CoapExchanger;
  private last: CoapError | undefined;
  private observation?: Observation;

  constructor(private readonly deps: { dialer: Dialer; nvm: NvmStore; clock: Clock }) {
    super();
  }

  get config(): CoapConfig {
    return structuredClone(this.current);
  }

  get selectedProfile(): number {
    return this.selected;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** An observation is registered (or registering, or cancelling). */
  get observing(): boolean {
    return this.observation !== undefined;
  }

  lastError(): CoapError | undefined {
    return this.last;
  }

  /** Changes the current configuration; the change is checked whole before it applies. */
  configure(change: (c: CoapConfig) => void): void {
    if (this.running) throw new CoapBusyError('a request is running');
    const next = structuredClone(this.current);
    change(next);
    if (next.uri !== '' && !parseCoapUri(next.uri)) throw new CoapConfigError('bad-uri', 'not a CoAP URI');
    this.current = next;
  }

  selectProfile(n: number): void {
    this.checkProfile(n);
    this.selected = n;
  }

  /** Copies the current configuration to NVM profile `n`. */
  store(n: number): void {
    this.checkProfile(n);
    this.deps.nvm.update<StoredProfiles>('coap-profiles', { profiles: [] }, (s) => {
      s.profiles[n] = structuredClone(this.current);
    });
  }

  /** Makes NVM profile `n` the current configuration; a slot never stored is the factory one. */
  restore(n: number): void {
    this.checkProfile(n);
    if (this.running) throw new CoapBusyError('a request is running');
    const stored = this.deps.nvm.read<StoredProfiles>('coap-profiles', { profiles: [] }).profiles[n];
    this.current = stored ? { ...defaultCoapConfig(), ...stored } : defaultCoapConfig();
    this.selected = n;
  }

  /** Starts a request; the outcome comes as 'reply' and 'result' events. Refusals change nothing. */
  start(spec: CoapRequestSpec): void {
    if (this.running) throw new CoapBusyError('a request is running');
    if ((spec.payload?.length ?? 0) > MAX_COAP_PAYLOAD) throw new CoapConfigError('payload', 'payload too long');
    const { target, request } = this.prepare(spec);
    // Placeholder so `busy` holds from now on; replaced once the transport is open.
    this.running = PENDING;
    this.last = undefined;
    void this.run(spec.method, target, request);
  }

  /**
   * Observes the configured URI (RFC 7641): a GET with Observe: 0 on a transport of its own
   * that stays open. Outcome and notifications come as 'notification' and 'observe' events.
   * One observation at a time; requests run beside it, not while it registers or cancels.
   */
  observe(): void {
    if (this.running) throw new CoapBusyError('a request is running');
    if (this.observation) throw new CoapBusyError('an observation is running');
    const { target, request } = this.prepare({ method: 'GET' });
    this.running = PENDING;
    this.last = undefined;
    void this.register(target, request);
  }

  /** Ends the observation: 'deregister' sends GET with Observe: 1; 'forget' rejects the next notification with a RST. */
  cancelObservation(mode: 'deregister' | 'forget'): void {
    const o = this.observation;
    if (!o) throw new CoapConfigError('no-observation', 'nothing is observed');
    if (this.running) throw new CoapBusyError('a request is running');
    this.observation = undefined;
    this.last = undefined;
    if (mode === 'forget') {
      o.forget(this.observedReliable);
      this.emit('observe', { op: 'deregister', ok: true });
      return;
    }
    this.running = PENDING;
    o.deregister().then(
      () => this.observed('deregister', undefined),
      (err: unknown) => this.observed('deregister', failureOf(err)),
    );
  }

  private observedReliable = false;

  private async register(target: TransportTarget, request: CoapRequest): Promise<void> {
    let exchanger: CoapExchanger | undefined;
    try {
      const opened = await this.openExchanger(target);
      if (!opened) return;
      const { transport } = opened;
      exchanger = opened.exchanger;
      const o = new Observation(exchanger, this.deps.clock, request);
      this.observation = o;
      this.observedReliable = transport.reliable;
      o.on('notification', (n) => this.emit('notification', n));
      o.on('end', (end) => {
        if (this.observation !== o) return;
        this.observation = undefined;
        this.last = end.kind === 'server' ? { kind: 'server', code: end.code } : { kind: end.kind };
        this.emit('observe', { op: 'end', ok: false, error: this.last });
      });
      transport.on('close', () => o.lost());
      const accepted = await o.register();
      if (this.observation !== o) return; // powered off meanwhile
      if (!accepted) {
        this.observation = undefined;
        o.close();
      }
      this.observed('register', accepted ? undefined : { kind: 'observe' });
    } catch (err) {
      if (this.running !== PENDING) return; // powered off meanwhile
      this.observation?.close();
      this.observation = undefined;
      exchanger?.close();
      this.observed('register', failureOf(err));
    }
  }

  /** The transport dialled and an exchanger on it; undefined (and closed) if powered off meanwhile. */
  private async openExchanger(target: TransportTarget): Promise<{ transport: CoapTransport; exchanger: CoapExchanger } | undefined> {
    const transport = await openTransport(this.deps.dialer, target);
    if (this.running !== PENDING) {
      transport.close();
      return undefined;
    }
    return { transport, exchanger: new CoapExchanger(transport, this.deps.clock) };
  }

  private observed(op: 'register' | 'deregister', error: CoapError | undefined): void {
    if (this.running !== PENDING) return; // powered off meanwhile
    this.running = undefined;
    this.last = error;
    this.emit('observe', { op, ok: !error, ...(error ? { error } : {}) });
  }

  /** The transport and the request message of the current configuration; a configuration that cannot run is refused. */
  private prepare(spec: CoapRequestSpec): { target: TransportTarget; request: CoapRequest } {
    const c = this.current;
    // A configuration that cannot run is refused and reported as the last error.
    const target = parseCoapUri(c.uri);
    const refusal = !c.valid ? new CoapConfigError('not-valid', 'the profile is not marked valid') : !target ? new CoapConfigError('no-uri', 'no URI') : undefined;
    if (refusal || !target) {
      this.last = { kind: 'config', reason: refusal!.reason };
      throw refusal;
    }
    const secure = c.secure || target.scheme.startsWith('coaps');
    const tcp = target.scheme.endsWith('+tcp');
    const kind: TransportKind = tcp ? (secure ? 'tls' : 'tcp') : secure ? 'dtls' : 'udp';
    const host = c.serverHost || target.host;
    const port = c.serverHost ? c.serverPort || target.port : target.port;
    const options: CoapOption[] = [];
    if (c.pdu.uriHost) options.push({ number: Opt.uriHost, value: Buffer.from(target.host) });
    if (c.pdu.uriPort) options.push({ number: Opt.uriPort, value: uintOption(target.port) });
    if (c.pdu.uriPath) for (const seg of target.path) options.push({ number: Opt.uriPath, value: Buffer.from(seg) });
    if (c.pdu.uriQuery) for (const q of target.query) options.push({ number: Opt.uriQuery, value: Buffer.from(q) });
    if (c.pdu.contentFormat && spec.contentFormat !== undefined) options.push({ number: Opt.contentFormat, value: uintOption(spec.contentFormat) });
    return {
      target: { kind, host, port, profileId: c.securityProfile },
      request: {
        method: spec.method,
        options,
        payload: spec.payload ?? Buffer.alloc(0),
        confirmable: c.pdu.confirmable,
        ...(c.pdu.block1 ? { block1Szx: c.blockSzx } : {}),
        ...(c.pdu.block2 ? { block2Szx: c.blockSzx } : {}),
      },
    };
  }

  /** Power-off: the current configuration and a running request are lost. */
  powerOff(): void {
    this.running?.close();
    this.running = undefined;
    this.observation?.close();
    this.observation = undefined;
    this.current = defaultCoapConfig();
    this.selected = 0;
    this.last = undefined;
  }

  private async run(method: CoapMethod, target: TransportTarget, req: CoapRequest): Promise<void> {
    let exchanger: CoapExchanger | undefined;
    try {
      const opened = await this.openExchanger(target);
      if (!opened) return;
      exchanger = opened.exchanger;
      this.running = exchanger;
      const final = await exchanger.request(req, (reply) => this.emit('reply', { method, reply }));
      this.finish(exchanger, method, final.code >> 5 === 2 ? undefined : { kind: 'server', code: final.code });
    } catch (err) {
      this.finish(exchanger, method, failureOf(err));
    }
  }

  private finish(exchanger: CoapExchanger | undefined, method: CoapMethod, error: CoapError | undefined): void {
    exchanger?.close();
    if (this.running !== exchanger && this.running !== PENDING) return; // powered off meanwhile
    this.running = undefined;
    this.last = error;
    this.emit('result', { method, ok: !error, ...(error ? { error } : {}) });
  }

  private checkProfile(n: number): void {
    if (!Number.isInteger(n) || n < 0 || n >= COAP_PROFILES) throw new CoapConfigError('profile', 'no such profile');
  }
}

/** Stands for a request whose transport is still opening; closing it is a no-op. */
const PENDING = { close() {} } as unknown as CoapExchanger;

function failureOf(err: unknown): CoapError {
  if (err instanceof CoapFailure) return { kind: err.reason };
  if (err instanceof ServiceError) return { kind: err.reason === 'host-not-found' || err.reason === 'dns-failure' ? 'dns' : 'no-data-path' };
  if (err instanceof SocketError) {
    if (err.errno === 'DNS_NOT_FOUND' || err.errno === 'DNS_FAILURE') return { kind: 'dns' };
    if (err.tls) return { kind: 'security' };
    return { kind: 'connect' };
  }
  return { kind: 'protocol' };
}

export { Method };
