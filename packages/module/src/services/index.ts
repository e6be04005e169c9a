import type { HttpTable } from '../models/http-table.js';
import { EventEmitter } from 'node:events';
import type { Clock } from '@modemlab/at';
import type { ModelTable } from '../models/types.js';
import type { NvmStore } from '../nvm/store.js';
import { DeviceConfig } from './device-config.js';
import { DnsService, type Resolver } from './dns.js';
import { BlockUploads } from './files/block-uploads.js';
import { FileSystem } from './files/file-system.js';
import type { EchoProbe } from './echo-probe.js';
import { HttpService } from './http/http-service.js';
import { FtpService } from './ftp/ftp-service.js';
import { MqttService } from './mqtt/mqtt-service.js';
import { saraMqtt } from '../models/mqtt-table.js';
import { CoapService } from './coap/coap-service.js';
import { CellTime } from './cell-time.js';
import { Firmware } from './firmware.js';
import { GnssReceiver } from './gnss.js';
import { GpioPins } from './gpio.js';
import { IdentityService } from './identity.js';
import { AddressPool } from './network/address-pool.js';
import { InternalContexts } from './network/internal-contexts.js';
import { DataPath } from './net/data-path.js';
import { Dialer } from './net/dialer.js';
import { MqttSnService } from './mqttsn/service.js';
import { NetPolicy, type NetMode } from './net/net-policy.js';
import { LabRoutes } from './network/lab-routes.js';
import { NetworkOperator } from './network/operator.js';
import { resolveNetworkOptions, type NetworkOptions } from './network/options.js';
import { PdpContexts } from './network/pdp.js';
import { PingService } from './ping.js';
import { PowerSaving } from './power-saving.js';
import { RadioConfig } from './radio-config.js';
import { RadioLink } from './network/radio-link.js';
import { RealTimeClock } from './rtc.js';
import { ModuleSettings } from './settings.js';
import { SimFiles } from './sim-files.js';
import { SocketService } from './sockets/socket-service.js';
import { CertificateStore } from './tls/cert-store.js';
import { SecurityProfiles } from './tls/profiles.js';
import { SessionMemory } from './tls/session-memory.js';
import { TlsService } from './tls/tls-service.js';
import { RootOfTrust } from './rot/root-of-trust.js';
import { SecurityState } from './security/security-state.js';
import { CloudLink, type CloudEndpoint } from './security/cloud-link.js';
import { SecurityService } from './security/security-service.js';
import { SecurityKeys } from './security/security-keys.js';
import { withRotCredentials } from './tls/rot-credentials.js';
import { C2cPairings } from './c2c/c2c-pairings.js';

export type { NetworkOptions } from './network/options.js';

/** A product without an HTTP client: no profiles, so every +UHTTP is refused. */
const NO_HTTP: HttpTable = {
  profiles: 0, inactivityTimeoutMs: 180_000, timeoutRangeS: { min: 30, max: 180 }, statusLineVersion: 'HTTP/1.0', maxPostData: 0,
  maxServerName: 0, maxCredential: 0, maxPath: 0, maxUserContentType: 0, customHeaders: 0, multipartBoundary: '',
};

/** Replacements for real I/O, for tests that must not depend on the machine's network. */
export interface ServiceOverrides {
  resolver?: Resolver;
  echoProbe?: EchoProbe;
}

/**
 * Vendor-neutral behaviour shared by every dialect. Services never format AT text; they
 * expose state and emit events that dialects turn into responses and URCs.
 */
export interface ModuleServices {
  settings: ModuleSettings;
  identity: IdentityService;
  sim: SimFiles;
  network: NetworkOperator;
  pdp: PdpContexts;
  internalContexts: InternalContexts;
  dns: DnsService;
  ping: PingService;
  radio: RadioConfig;
  /** The radio link's profile (latency, bandwidth, loss, signal) and coverage script: 'ltem:edge', or 'off'. */
  radioLink: RadioLink;
  powerSaving: PowerSaving;
  rtc: RealTimeClock;
  device: DeviceConfig;
  certificates: CertificateStore;
  securityProfiles: SecurityProfiles;
  tls: TlsService;
  sockets: SocketService;
  /** The lab's port forwards for the module's TCP connections. */
  routes: LabRoutes;
  /** The one way out every client dials through (services/net). */
  dialer: Dialer;
  /** The MQTT-SN client (+UMQTTSN*). */
  mqttsn: MqttSnService;
  /** The running firmware's version and the install of an image from the file system. */
  firmware: Firmware;
  /** The built-in GNSS receiver and CellLocate, from the lab's configured position. */
  gnss: GnssReceiver;
  /** CellTime: time from the simulated network (+UTIME). */
  cellTime: CellTime;
  /** Virtual GPIO pads (+UGPIOC/R/W), their levels driven by the host and by the lab. */
  gpio: GpioPins;
  /** The module file system (user area). */
  files: FileSystem;
  /** +UDWNBLOCK transfers in progress. */
  fileBlocks: BlockUploads;
  http: HttpService;
  ftp: FtpService;
  /** The MQTT client (+UMQTT*); a product without one has no commands for it. */
  mqtt: MqttService;
  /** The CoAP client (+UCOAP*). */
  coap: CoapService;
  /** The module's root of trust (+USECROTUID, +USECCHIP): created once, never changed. */
  rot: RootOfTrust;
  /** The cached standing with the security service: bootstrap, seal, features (seed 001). */
  security: SecurityState;
  /** Bootstrap, seal, heartbeats: the exchanges with the security service (seed 001 §4). */
  securityService: SecurityService;
  /** The RoT key services: local data protection, PSK, E2E, ZTP credentials (seed 001 §5.2-§7). */
  keys: SecurityKeys;
  /** Chip-to-chip pairings (+USECC2C); absent on products without C2C. */
  c2c?: C2cPairings;
  /** 'power-off': a reboot or power-down is under way (dialects drop their RAM state). */
  lifecycle: EventEmitter<{ 'power-off': [] }>;
  /** Power-up: load NVM, start registration. */
  powerOn(): void;
  /** Power-down or reboot: RAM state is lost, silently. */
  powerOff(): void;
  close(): Promise<void>;
}

/** What the services are built from: the module's parts, never the module itself. */
export interface ServiceParts {
  model: ModelTable;
  nvm: NvmStore;
  clock: Clock;
  /** Static host table (lower-case NAME -> IP), consulted before the resolver. */
  hosts: Map<string, string>;
  /** Lab port forwards ("ip:port" -> "ip:port", TCP and UDP). */
  forwards: Record<string, string>;
  /** The lab network policy's mode (lab: loopback and the lab's named targets only). */
  net: NetMode;
  /** Where refusals of the lab network policy are logged. */
  log?: (message: string, detail?: unknown) => void;
  /** The security service the module bootstraps with (`serve --cloud`); none: it never reaches one. */
  cloud?: CloudEndpoint;
}

export function createServices(parts: ServiceParts, networkOptions: NetworkOptions, overrides: ServiceOverrides = {}): ModuleServices {
  const { model, nvm, clock } = parts;
  const options = resolveNetworkOptions(networkOptions);
  const settings = new ModuleSettings();
  const identity = new IdentityService(nvm, model.identity.imeiTac, options.plmn);
  const sim = new SimFiles(nvm, identity);
  const network = new NetworkOperator(clock, nvm, options);
  const pdp = new PdpContexts(nvm, network, new AddressPool(options.addressPool, options.ipv6Prefix), options, model.limits, model.network.defaultIpv4v6Grant, model.network.attachActivatesDefaultBearer ?? true);
  const internalContexts = new InternalContexts(nvm, pdp, {
    profiles: model.limits.psdProfiles,
    typeMustMatch: model.network.psd.typeMustMatch,
    defaults: { ipType: model.network.psd.defaultIpType, cid: model.network.psd.defaultCid },
  });
  const routes = new LabRoutes(parts.forwards);
  const policy = new NetPolicy(parts.net, parts.hosts, routes.targets(), parts.log);
  const dns = new DnsService(parts.hosts, network, pdp, overrides.resolver, policy);
  const ping = new PingService(dns, overrides.echoProbe, () => options.packetLoss, policy);
  const radio = new RadioConfig(nvm, { rats: model.network.rats, operatorProfile: model.network.defaultMnoProfile, bands: model.network.bands });
  const powerSaving = new PowerSaving(nvm, clock, network);
  const radioLink = new RadioLink(clock, network, powerSaving);
  if (networkOptions.radio !== undefined) radioLink.set(networkOptions.radio);
  if (networkOptions.radioScript) radioLink.runScript(networkOptions.radioScript);
  const rtc = new RealTimeClock(clock);
  const device = new DeviceConfig(nvm);
  const certificates = new CertificateStore(nvm, model.certificates);
  const securityProfiles = new SecurityProfiles(nvm, model.tls);
  const rot = new RootOfTrust(nvm);
  const security = new SecurityState(nvm);
  const keys = new SecurityKeys(rot, security, nvm, model.securityKeys);
  securityProfiles.useLocalEncryption(keys.local);
  const tlsCredentials = withRotCredentials(certificates, { rotPsk: () => keys.psk.forHandshake(), ztp: (level) => keys.ztp.forTls(level) });
  const tls = new TlsService(model.tls, tlsCredentials, securityProfiles, clock, new SessionMemory(nvm), () => rtc.utcMs());
  const dialer = new Dialer({ dns, path: new DataPath(network, pdp), pdp, tls, clock, routes, policy, radio: radioLink, ...(parts.log ? { log: parts.log } : {}) });
  const sockets = new SocketService(model.sockets, { dialer, pdp, clock });
  const files = new FileSystem(nvm.dir, model.fileSystem);
  const gpio = new GpioPins(nvm, model.gpio);
  const cellTime = new CellTime(clock, network);
  const gnss = new GnssReceiver(clock);
  const firmware = new Firmware(nvm, files, { revision: model.identity.revision, appVersion: model.identity.appVersion }, clock);
  const fileBlocks = new BlockUploads(files);
  const http = new HttpService(model.http ?? NO_HTTP, { dialer, files, clock });
  const ftp = new FtpService({ dialer, clock });
  const mqtt = new MqttService(model.mqtt ?? saraMqtt, { dialer, clock, nvm });
  const mqttsn = new MqttSnService({ dialer, clock, nvm, defaultClientId: () => identity.imei });
  const coap = new CoapService({ dialer, nvm, clock });
  const lifecycle = new EventEmitter<{ 'power-off': [] }>();
  const securityService = new SecurityService({
    table: model.securityService, state: security, link: new CloudLink({ dialer, rot, nvm, clock }), pdp, rot, clock,
    ...(parts.cloud ? { endpoint: parts.cloud } : {}), ...(parts.log ? { log: parts.log } : {}),
  });
  const c2c = model.c2c ? new C2cPairings(model.c2c, nvm, rot, security) : undefined;
  return {
    rot,
    security,
    securityService,
    keys,
    ...(c2c ? { c2c } : {}),
    lifecycle,
    settings,
    identity,
    sim,
    network,
    pdp,
    internalContexts,
    dns,
    ping,
    radio,
    radioLink,
    powerSaving,
    rtc,
    device,
    certificates,
    securityProfiles,
    tls,
    sockets,
    routes,
    dialer,
    gpio,
    cellTime,
    gnss,
    firmware,
    files,
    fileBlocks,
    http,
    ftp,
    mqtt,
    mqttsn,
    coap,
    powerOn() {
      const profile = nvm.read<{ ipr?: number } | null>('at-profile', null);
      if (profile?.ipr !== undefined) settings.ipr = profile.ipr;
      identity.powerOn();
      radio.powerOn();
      pdp.powerOn();
      internalContexts.powerOn();
      powerSaving.powerOn();
      device.powerOn();
      securityProfiles.powerOn();
      // Before the certificate store, which clears the pending +UFACTORY request.
      if (model.certificates.factory.erasingFsOps.includes(certificates.factoryRequest.fsOp)) files.erase();
      certificates.powerOn();
      mqtt.powerOn();
      mqttsn.powerOn();
      firmware.powerOn();
      securityService.powerOn();
      // Last: registration starts and its events find every other service ready.
      network.powerOn();
    },
    powerOff() {
      lifecycle.emit('power-off');
      securityService.powerOff();
      settings.reset();
      ping.stop();
      cellTime.powerOff();
      gnss.powerOff();
      firmware.powerOff();
      sockets.closeAll();
      http.powerOff();
      ftp.powerOff();
      mqtt.powerOff();
      mqttsn.close();
      coap.powerOff();
      network.powerOff();
      pdp.powerOff();
      internalContexts.powerOff();
      powerSaving.powerOff();
      rtc.powerOff();
      securityProfiles.powerOff();
      tls.powerOff();
      fileBlocks.abortAll();
      files.abortWriters();
    },
    async close() {
      securityService.powerOff();
      ping.stop();
      cellTime.powerOff();
      gnss.powerOff();
      firmware.powerOff();
      fileBlocks.abortAll();
      files.abortWriters();
      sockets.closeAll();
      http.close();
      ftp.closeAll();
      mqtt.close();
      mqttsn.close();
      coap.powerOff();
      network.close();
      powerSaving.powerOff();
    },
  };
}
