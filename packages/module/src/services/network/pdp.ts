import { EventEmitter } from 'node:events';
import type { NvmStore } from '../../nvm/store.js';
import { fail } from '../errors.js';
import type { AddressPool } from './address-pool.js';
import type { NetworkOperator, RegistrationChange } from './operator.js';
import type { IpGrant, ResolvedNetworkOptions } from './options.js';

export type PdpType = 'IP' | 'IPV6' | 'IPV4V6' | 'NONIP';
export const PDP_TYPES: readonly PdpType[] = ['IP', 'IPV6', 'IPV4V6', 'NONIP'];
/** 0 none, 1 PAP, 2 CHAP, 3 automatic (3GPP numbering). */
export type AuthProtocol = 0 | 1 | 2 | 3;

export interface ContextDefinition {
  cid: number;
  type: PdpType;
  apn: string;
  auth: AuthProtocol;
  username: string;
  password: string;
}

export interface ActiveContext {
  cid: number;
  /** What the network granted, which can differ from the definition (IPV4V6 -> IP). */
  assignedType: PdpType;
  ipv4?: string;
  ipv6?: string;
  /** The APN in use: the defined one, or the one the network chose. */
  apn: string;
  dns: string[];
  /** EPS bearer identity (5..15). */
  bearerId: number;
}

export interface DataCounters {
  sentSession: number;
  receivedSession: number;
  sentTotal: number;
  receivedTotal: number;
}

/** Who ended or started a context, and why: the dialects pick their event texts from these. */
export interface ContextEvent {
  cid: number;
  active: boolean;
  initiator: 'me' | 'nw';
  cause: 'attach' | 'request' | 'detach' | 'coverage-lost';
  /** The network granted a single IP family to a dual-stack request. */
  grant?: 'ipv4-only' | 'ipv6-only';
}

export interface PdpEvents {
  context: [ContextEvent];
  detach: [{ initiator: 'me' | 'nw' }];
}

/** The context the LTE attach activates: the initial default EPS bearer. */
export const DEFAULT_BEARER_CID = 1;
const DEFAULT_DEFINITION: Omit<ContextDefinition, 'cid'> = { type: 'IPV4V6', apn: '', auth: 0, username: '', password: '' };

export interface PdpLimits {
  cidMin: number;
  cidMax: number;
  maxActiveContexts: number;
}

/**
 * External PDP contexts (+CGDCONT/+CGACT and their Telit/Quectel twins): definitions in
 * NVM, activation state and data counters in RAM. Attach activates the default bearer as
 * soon as the operator registers the module; losing registration drops every context.
 */
export class PdpContexts extends EventEmitter<PdpEvents> {
  private definitions = new Map<number, ContextDefinition>();
  private readonly active = new Map<number, ActiveContext>();
  private readonly counters = new Map<number, DataCounters>();

  constructor(
    private readonly nvm: NvmStore,
    private readonly operator: NetworkOperator,
    private readonly pool: AddressPool,
    private readonly options: ResolvedNetworkOptions,
    readonly limits: PdpLimits,
    private readonly modelGrant: IpGrant,
    /** Whether registration activates the default bearer (LTE attach); 2G/3G products activate on request only. */
    private readonly attachActivates = true,
  ) {
    super();
    operator.on('registration', (c) => this.onRegistration(c));
  }

  powerOn(): void {
    const stored = this.nvm.read<ContextDefinition[]>('pdp', []);
    this.definitions = new Map(stored.map((d) => [d.cid, d]));
    if (!this.definitions.has(DEFAULT_BEARER_CID)) this.definitions.set(DEFAULT_BEARER_CID, { cid: DEFAULT_BEARER_CID, ...DEFAULT_DEFINITION });
  }

  powerOff(): void {
    this.active.clear();
    this.counters.clear();
  }

  definition(cid: number): ContextDefinition | undefined {
    const d = this.definitions.get(cid);
    return d && { ...d };
  }

  definitionsList(): ContextDefinition[] {
    return [...this.definitions.values()].sort((a, b) => a.cid - b.cid).map((d) => ({ ...d }));
  }

  context(cid: number): ActiveContext | undefined {
    const c = this.active.get(cid);
    return c && { ...c, dns: [...c.dns] };
  }

  activeList(): ActiveContext[] {
    return [...this.active.keys()].sort((a, b) => a - b).map((cid) => this.context(cid)!);
  }

  isActive(cid: number): boolean {
    return this.active.has(cid);
  }

  /** True when some context can carry IP traffic. */
  hasDataPath(): boolean {
    return [...this.active.values()].some((c) => c.ipv4 !== undefined || c.ipv6 !== undefined);
  }

  /** With `credentials`, the definition and its authentication are stored in one NVM write (a crash keeps both or neither). */
  define(cid: number, type: PdpType, apn: string, credentials?: { auth: AuthProtocol; username: string; password: string }): void {
    if (this.active.has(cid)) throw fail('context-active');
    const old = this.definitions.get(cid);
    this.definitions.set(cid, { ...DEFAULT_DEFINITION, ...old, cid, type, apn, ...credentials });
    this.persist();
  }

  /** Removes a definition; the default bearer's goes back to its factory definition instead. */
  undefine(cid: number): void {
    if (this.active.has(cid)) throw fail('context-active');
    if (cid === DEFAULT_BEARER_CID) this.definitions.set(cid, { cid, ...DEFAULT_DEFINITION });
    else this.definitions.delete(cid);
    this.persist();
  }

  setAuth(cid: number, auth: AuthProtocol, username: string, password: string): void {
    const d = this.definitions.get(cid);
    if (!d) throw fail('undefined-context');
    this.definitions.set(cid, { ...d, auth, username, password });
    this.persist();
  }

  /** The type the network would grant this context, without activating it. */
  grantFor(type: PdpType): PdpType {
    return type === 'IPV4V6' ? (this.options.ipv4v6Grant ?? this.modelGrant) : type;
  }

  /** Checks that `cid` could be activated now; throws the reason it cannot. */
  checkActivation(cid: number): void {
    if (!this.operator.registered) throw fail('not-registered');
    const def = this.definitions.get(cid);
    if (!def) throw fail('undefined-context');
    if (this.active.has(cid)) return;
    if (this.active.size >= this.limits.maxActiveContexts) throw fail('too-many-active');
    this.checkApn(def.apn);
  }

  /** Throws unless the operator serves `apn`; the network's reject becomes the last cause (+CEER). */
  checkApn(apn: string): void {
    if (this.serves(apn)) return;
    this.operator.recordReject('apn-unknown');
    throw fail('apn-unknown', `APN "${apn}" is not served`);
  }

  /** The network is reachable for session management (registered). */
  get networkRegistered(): boolean {
    return this.operator.registered;
  }

  /**
   * Whether the simulated operator serves this APN (options.apns; "*" serves any). The empty
   * APN is always served: the network picks its own default APN for it.
   */
  serves(apn: string): boolean {
    if (apn === '') return true;
    const served = this.options.apns.map((a) => a.toLowerCase());
    return served.includes('*') || served.includes(apn.toLowerCase());
  }

  activate(cid: number, cause: ContextEvent['cause'] = 'request'): ActiveContext {
    this.checkActivation(cid);
    const existing = this.active.get(cid);
    if (existing) return { ...existing };
    const def = this.definitions.get(cid)!;
    const assignedType = this.grantFor(def.type);
    const ctx: ActiveContext = {
      cid,
      assignedType,
      apn: def.apn || this.options.defaultApn,
      dns: assignedType === 'NONIP' ? [] : [...this.options.dnsServers],
      bearerId: this.nextBearerId(),
    };
    if (assignedType === 'IP' || assignedType === 'IPV4V6') ctx.ipv4 = this.pool.ipv4For(cid);
    if (assignedType === 'IPV6' || assignedType === 'IPV4V6') ctx.ipv6 = this.pool.ipv6For(cid);
    this.active.set(cid, ctx);
    this.counters.set(cid, { ...this.totalsOf(cid), sentSession: 0, receivedSession: 0 });
    const grant = def.type === 'IPV4V6' && assignedType === 'IP' ? 'ipv4-only' : def.type === 'IPV4V6' && assignedType === 'IPV6' ? 'ipv6-only' : undefined;
    this.emit('context', { cid, active: true, initiator: 'me', cause, ...(grant ? { grant } : {}) });
    this.operator.activity();
    return { ...ctx };
  }

  /** Deactivates `cid`; a context that is not active is left as it is. */
  deactivate(cid: number): void {
    if (!this.definitions.has(cid)) throw fail('undefined-context');
    this.drop(cid, 'me', 'request');
  }

  /** Bytes moved by whoever carries real traffic (sockets, PPP): counters and RRC activity. */
  countBytes(cid: number, sent: number, received: number): void {
    const c = this.counters.get(cid);
    if (!c || !this.active.has(cid)) return;
    c.sentSession += sent;
    c.receivedSession += received;
    c.sentTotal += sent;
    c.receivedTotal += received;
    this.operator.activity();
  }

  countersOf(cid: number): DataCounters | undefined {
    const c = this.counters.get(cid);
    return c && { ...c };
  }

  /**
   * Sets the running totals (e.g. to zero them) and starts the session counters over: a
   * host that resets the counters (+UGCNTSET=<cid>,0,0) reads zeros in every column after
   * it, as u-blox's host library expects of a SARA-R5.
   */
  setTotals(cid: number, sentTotal: number, receivedTotal: number): void {
    if (!this.definitions.has(cid)) throw fail('undefined-context');
    this.counters.set(cid, { sentSession: 0, receivedSession: 0, sentTotal, receivedTotal });
  }

  private totalsOf(cid: number): Pick<DataCounters, 'sentTotal' | 'receivedTotal'> {
    const c = this.counters.get(cid);
    return { sentTotal: c?.sentTotal ?? 0, receivedTotal: c?.receivedTotal ?? 0 };
  }

  private drop(cid: number, initiator: 'me' | 'nw', cause: ContextEvent['cause']): void {
    if (!this.active.delete(cid)) return;
    this.emit('context', { cid, active: false, initiator, cause });
  }

  private onRegistration(change: RegistrationChange): void {
    const was = change.previous === 1 || change.previous === 5;
    const is = change.stat === 1 || change.stat === 5;
    if (!was && is) {
      const bearer = this.definitions.get(DEFAULT_BEARER_CID);
      if (!this.attachActivates || !bearer) return;
      // An attach asking for an APN the network does not serve gets no default bearer (the
      // reject is the +CEER cause); registration itself stands, as the lab's simplification.
      if (!this.serves(bearer.apn)) this.operator.recordReject('apn-unknown');
      else this.activate(DEFAULT_BEARER_CID, 'attach');
      return;
    }
    if (was && !is) {
      const byNetwork = change.cause === 'coverage-lost';
      for (const cid of [...this.active.keys()]) this.drop(cid, byNetwork ? 'nw' : 'me', byNetwork ? 'coverage-lost' : 'detach');
      // Losing coverage is no detach: the contexts are gone, the EPS attachment is not revoked.
      if (!byNetwork) this.emit('detach', { initiator: 'me' });
    }
  }

  private nextBearerId(): number {
    const used = new Set([...this.active.values()].map((c) => c.bearerId));
    let id = 5;
    while (used.has(id)) id++;
    return id;
  }

  private persist(): void {
    this.nvm.write('pdp', this.definitionsList());
  }
}
