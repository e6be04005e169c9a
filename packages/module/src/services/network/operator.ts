import { EventEmitter } from 'node:events';
import type { Clock, TimerHandle } from '@modemlab/at';
import type { NvmStore } from '../../nvm/store.js';
import { fail } from '../errors.js';
import type { ResolvedNetworkOptions } from './options.js';

/** 3GPP registration status: 0 not registered, 1 home, 2 searching, 3 denied, 4 unknown, 5 roaming. */
export type RegistrationStatus = 0 | 1 | 2 | 3 | 4 | 5;
/** 0 minimum, 1 full, 4 radio off (airplane). */
export type Functionality = 0 | 1 | 4;
/** 0 automatic, 1 manual, 2 deregistered, 4 manual falling back to automatic. */
export type SelectionMode = 0 | 1 | 2 | 4;
/** Why the module is (no longer) registered: the source of +CEER-style reports. */
export type RegistrationCause = 'none' | 'radio-off' | 'deregistered' | 'detached' | 'coverage-lost' | 'searching' | 'registered' | 'apn-unknown';

export interface RegistrationChange {
  stat: RegistrationStatus;
  previous: RegistrationStatus;
  cause: RegistrationCause;
}

export interface OperatorEvents {
  registration: [RegistrationChange];
  rrc: [{ connected: boolean }];
}

interface OperatorNvm {
  selectionMode: SelectionMode;
}

const isRegistered = (s: RegistrationStatus): boolean => s === 1 || s === 5;

/**
 * The simulated operator network as the module sees it: functionality (+CFUN), network
 * selection, PS attach, radio coverage, and the registration state machine those drive on
 * the module's clock (radio on -> searching -> registered after a delay). It also keeps
 * the RRC connection: connected right after attach and while data flows, idle after an
 * inactivity timer.
 */
export class NetworkOperator extends EventEmitter<OperatorEvents> {
  functionality: Functionality = 1;
  selectionMode: SelectionMode = 0;
  /** Operator name presentation chosen by the host: 0 long, 1 short, 2 numeric. */
  nameFormat: 0 | 1 | 2 = 0;
  psAttachRequested = true;
  stat: RegistrationStatus = 0;
  rrcConnected = false;
  lastCause: RegistrationCause = 'none';
  private coverage: boolean;
  private powered = false;
  private registrationTimer?: TimerHandle;
  private rrcTimer?: TimerHandle;

  constructor(
    private readonly clock: Clock,
    private readonly nvm: NvmStore,
    readonly options: ResolvedNetworkOptions,
  ) {
    super();
    this.coverage = options.coverage;
  }

  get registered(): boolean {
    return isRegistered(this.stat);
  }

  get radioOn(): boolean {
    return this.powered && this.functionality === 1;
  }

  get hasCoverage(): boolean {
    return this.coverage;
  }

  /** Power-up: full functionality, the stored selection mode, and registration starts. */
  powerOn(): void {
    this.powered = true;
    this.functionality = 1;
    this.psAttachRequested = true;
    this.nameFormat = 0;
    this.lastCause = 'none';
    this.selectionMode = this.nvm.read<OperatorNvm>('network', { selectionMode: 0 }).selectionMode;
    this.evaluate('searching');
  }

  /** Power-down: everything in RAM is gone, silently (the terminals are off too). */
  powerOff(): void {
    this.powered = false;
    this.cancelTimers();
    this.stat = 0;
    this.rrcConnected = false;
  }

  close(): void {
    this.powerOff();
  }

  setFunctionality(fun: Functionality): void {
    this.functionality = fun;
    this.evaluate('radio-off');
  }

  /** +COPS: automatic, manual to a named network, or deregistration. Persisted like the real modules. */
  select(mode: SelectionMode, operator?: string): void {
    if ((mode === 1 || mode === 4) && operator !== undefined && !this.isThisNetwork(operator)) {
      if (mode === 1) throw fail('not-registered', `no network ${operator}`);
      mode = 0;
    }
    this.selectionMode = mode;
    this.nvm.write<OperatorNvm>('network', { selectionMode: mode });
    // Selecting again while already registered is a no-op; after deregistration it re-registers.
    this.evaluate('deregistered');
  }

  setPsAttach(attached: boolean): void {
    this.psAttachRequested = attached;
    this.evaluate('detached');
  }

  /** Lab API: the module loses (false) or regains (true) radio coverage. */
  setCoverage(available: boolean): void {
    this.coverage = available;
    this.evaluate('coverage-lost');
  }

  /** Data moved on a context: the RRC connection is (re)established and its inactivity timer restarts. */
  activity(): void {
    if (!this.registered) return;
    this.setRrc(true);
    this.armRrcTimer();
  }

  /** A session-management reject by the network (e.g. an unknown APN): the last cause. */
  recordReject(cause: Extract<RegistrationCause, 'apn-unknown'>): void {
    this.lastCause = cause;
  }

  isThisNetwork(name: string): boolean {
    const o = this.options;
    return [o.operatorName, o.shortName, o.plmn].some((n) => n.toLowerCase() === name.toLowerCase());
  }

  private evaluate(cause: RegistrationCause): void {
    const wanted = this.powered && this.functionality === 1 && this.selectionMode !== 2 && this.psAttachRequested;
    if (!wanted) {
      this.cancelRegistration();
      this.setStat(0, cause);
      return;
    }
    if (!this.coverage) {
      this.cancelRegistration();
      this.setStat(2, 'coverage-lost');
      return;
    }
    if (this.registered) return;
    this.setStat(2, 'searching');
    this.registrationTimer ??= this.clock.setTimeout(() => {
      this.registrationTimer = undefined;
      // The attach runs over a fresh RRC connection, so it is up before registration completes.
      this.setRrc(true);
      this.armRrcTimer();
      this.setStat(this.options.roaming ? 5 : 1, 'registered');
    }, this.options.registrationDelayMs);
  }

  private setStat(stat: RegistrationStatus, cause: RegistrationCause): void {
    const previous = this.stat;
    if (stat === previous) return;
    if (!isRegistered(stat)) {
      this.rrcTimer?.cancel();
      this.rrcTimer = undefined;
      this.setRrc(false);
    }
    this.stat = stat;
    if (isRegistered(previous) || stat === 0 || isRegistered(stat)) this.lastCause = cause;
    this.emit('registration', { stat, previous, cause });
  }

  private setRrc(connected: boolean): void {
    if (this.rrcConnected === connected) return;
    this.rrcConnected = connected;
    this.emit('rrc', { connected });
  }

  private armRrcTimer(): void {
    this.rrcTimer?.cancel();
    this.rrcTimer = this.clock.setTimeout(() => {
      this.rrcTimer = undefined;
      this.setRrc(false);
    }, this.options.rrcInactivityMs);
  }

  private cancelRegistration(): void {
    this.registrationTimer?.cancel();
    this.registrationTimer = undefined;
  }

  private cancelTimers(): void {
    this.cancelRegistration();
    this.rrcTimer?.cancel();
    this.rrcTimer = undefined;
  }
}
