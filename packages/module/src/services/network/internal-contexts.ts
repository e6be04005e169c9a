import { EventEmitter } from 'node:events';
import type { ProfileIpType } from '../../models/types.js';
import type { NvmStore } from '../../nvm/store.js';
import { fail } from '../errors.js';
import { DEFAULT_BEARER_CID, type ContextEvent, type PdpContexts, type PdpType } from './pdp.js';

export interface InternalProfile {
  ipType: ProfileIpType;
  /** The external context this profile runs on. */
  cid: number;
  apn: string;
  username: string;
  password: string;
  dns1: string;
  dns2: string;
  /** 0 none, 1 PAP, 2 CHAP, 3 automatic. */
  auth: number;
  staticAddress: string;
}

export interface ProfileStatus {
  active: boolean;
  address?: string;
  dns: string[];
}

export interface InternalContextEvents {
  activated: [{ profile: number; address: string }];
  deactivated: [{ profile: number; cause: 'request' | 'context-lost' }];
}

export interface InternalContextRules {
  profiles: number;
  /** Whether the profile's IP type must equal the context's assigned type (SARA-R5 01B on). */
  typeMustMatch: boolean;
  defaults: Pick<InternalProfile, 'ipType' | 'cid'>;
}

/** The assigned context type each profile type needs. */
const MATCHING_TYPE: Record<ProfileIpType, PdpType> = {
  ipv4: 'IP',
  ipv6: 'IPV6',
  'ipv4v6-prefer-v4': 'IPV4V6',
  'ipv4v6-prefer-v6': 'IPV4V6',
};

/**
 * Internal PDP contexts: the profiles the module's own IP stack (sockets, HTTP, MQTT...)
 * runs on — u-blox +UPSD/+UPSDA, Telit #SGACT. A profile maps onto an external context;
 * activating it activates that context if needed and checks the IP type the network
 * granted. Only one profile is active at a time. Profile settings live in RAM until
 * stored; losing the context deactivates the profile.
 */
export class InternalContexts extends EventEmitter<InternalContextEvents> {
  private profiles = new Map<number, InternalProfile>();
  private activeProfile?: { profile: number; address: string };

  constructor(
    private readonly nvm: NvmStore,
    private readonly pdp: PdpContexts,
    readonly rules: InternalContextRules,
  ) {
    super();
    pdp.on('context', (e) => this.onContext(e));
  }

  powerOn(): void {
    this.profiles.clear();
    this.activeProfile = undefined;
    for (let p = 0; p < this.rules.profiles; p++) {
      const stored = this.storedProfile(p);
      if (stored) this.profiles.set(p, stored);
    }
  }

  powerOff(): void {
    this.activeProfile = undefined;
  }

  profile(p: number): InternalProfile {
    return { ...(this.profiles.get(p) ?? this.defaults()) };
  }

  /** Changes some settings of a profile; they apply at its next activation. */
  configure(p: number, change: Partial<InternalProfile>): void {
    this.profiles.set(p, { ...this.profile(p), ...change });
  }

  reset(p: number): void {
    this.profiles.set(p, this.defaults());
  }

  store(p: number): void {
    const all = this.nvm.read<Record<string, InternalProfile>>('psd-profiles', {});
    all[p] = this.profile(p);
    this.nvm.write('psd-profiles', all);
  }

  load(p: number): void {
    this.profiles.set(p, this.storedProfile(p) ?? this.defaults());
  }

  status(p: number): ProfileStatus {
    const active = this.activeProfile?.profile === p;
    const ctx = active ? this.pdp.context(this.profile(p).cid) : undefined;
    return { active, ...(active ? { address: this.activeProfile!.address } : {}), dns: ctx?.dns ?? [] };
  }

  /** Activates profile `p`; every check runs before anything changes. Returns its address. */
  activate(p: number): string {
    if (this.activeProfile?.profile === p) throw fail('profile-active');
    if (this.activeProfile) throw fail('profile-busy');
    const prof = this.profile(p);
    const def = this.pdp.definition(prof.cid);
    const wantedType = MATCHING_TYPE[prof.ipType];
    if (def) {
      if (prof.apn && def.apn && prof.apn !== def.apn) throw fail('apn-mismatch');
      this.pdp.checkActivation(prof.cid);
      if (!this.pdp.isActive(prof.cid)) this.pdp.checkApn(prof.apn || def.apn);
      const assigned = this.pdp.context(prof.cid)?.assignedType ?? this.pdp.grantFor(def.type);
      if (this.rules.typeMustMatch && assigned !== wantedType) throw fail('ip-type-mismatch', `profile ${prof.ipType}, context ${assigned}`);
    } else {
      // An undefined context is defined from the profile, as the module does for +UPSD-only hosts.
      if (this.rules.typeMustMatch && this.pdp.grantFor(wantedType) !== wantedType) throw fail('ip-type-mismatch');
      if (!this.pdp.networkRegistered) throw fail('not-registered');
      this.pdp.checkApn(prof.apn);
      this.pdp.define(prof.cid, wantedType, prof.apn);
    }
    const ctx = this.pdp.activate(prof.cid);
    const preferV6 = prof.ipType === 'ipv6' || prof.ipType === 'ipv4v6-prefer-v6';
    const address = (preferV6 ? (ctx.ipv6 ?? ctx.ipv4) : (ctx.ipv4 ?? ctx.ipv6)) ?? '';
    this.activeProfile = { profile: p, address };
    this.emit('activated', { profile: p, address });
    return address;
  }

  deactivate(p: number): void {
    if (this.activeProfile?.profile !== p) throw fail('profile-not-active');
    this.activeProfile = undefined;
    const cid = this.profile(p).cid;
    // The default bearer stays up: in LTE the module cannot be attached without it.
    if (cid !== DEFAULT_BEARER_CID) this.pdp.deactivate(cid);
    this.emit('deactivated', { profile: p, cause: 'request' });
  }

  private onContext(e: ContextEvent): void {
    if (e.active || !this.activeProfile) return;
    const p = this.activeProfile.profile;
    if (this.profile(p).cid !== e.cid) return;
    this.activeProfile = undefined;
    this.emit('deactivated', { profile: p, cause: 'context-lost' });
  }

  private defaults(): InternalProfile {
    return { apn: '', username: '', password: '', dns1: '0.0.0.0', dns2: '0.0.0.0', auth: 0, staticAddress: '0.0.0.0', ...this.rules.defaults };
  }

  private storedProfile(p: number): InternalProfile | undefined {
    const s = this.nvm.read<Record<string, InternalProfile>>('psd-profiles', {})[p];
    return s && { ...this.defaults(), ...s };
  }
}
