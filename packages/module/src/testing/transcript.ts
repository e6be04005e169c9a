/**
 * Transcripts: plain-text AT exchanges that run against a virtual module and compare every
 * byte. They are the conformance suite; each example of the seed documents is one.
 *
 * Format, one directive per line (blank lines and lines starting with # are ignored):
 *   @model sara-r5            product to start (before the first exchange)
 *   @hosts name=ip,name=ip    static host table
 *   @network key=value ...    simulated-network options (numbers or "quoted strings")
 *   @clock 2026-12-06T10:00:00Z  the module clock's start (default: the real time now)
 *   @gnss 47.2858,8.5658,440  the lab's GNSS position (LAT,LON[,ALT]; module option gnss)
 *   @gnss-track "json string" a track the GNSS replays from the start (GPX or NMEA text)
 *   @fota-push NAME "json"   the operator's FOTA server pushes this image now (lands as NAME)
 *   @echo on|off              whether the module echoes from here on (it starts on;
 *                             `> ATE0` / `> ATE1` update it by themselves)
 *   > AT+CGMI                 send the text and CR
 *   < u-blox                  response lines; the last line of a group is the final result
 *   < OK                      code (OK, ERROR, +CME ERROR: ..., CONNECT, NO CARRIER) or a
 *                             prompt (">" or "@"); the lines before it are one information
 *                             block. Framing is V1: "\r\n" block "\r\n" then "\r\n" final "\r\n".
 *   ! +UUPSDA: 0,"1.2.3.4"    an unsolicited result code, framed "\r\n" text "\r\n"
 *   >> "json string"          raw bytes to send, no CR added (prompt payloads, Ctrl-Z)
 *   << "json string"          raw bytes expected
 *   >>hex f9 03 3f 01 1c f9   raw bytes to send, as hex (27.010 frames)
 *   <<hex f9 03 73 01 d7 f9   raw bytes expected, as hex
 *   >>uih 1 "AT+CGMI\r"       a 27.010 UIH frame from the host on DLCI 1 (C/R=1) carrying the text
 *   <<uih 1 "\r\nOK\r\n"      a UIH frame expected from the module on DLCI 1 (C/R=0)
 *   ~ 2000                    advance the module clock by 2000 ms
 *   ~~ 200                    let 200 ms of real time pass (real I/O such as ping)
 *   @coverage off|on          the lab takes the simulated network's coverage away or back
 *   @https-server NAME [ca="CN"] [expiry=yyyy/mm/dd] [tls=1.2]
 *                             a real HTTPS server on loopback standing for NAME on port
 *                             443 (host table and lab port forward), with a certificate
 *                             chaining to a root made for the run; {ca.pem}, {ca.length}
 *                             and {ca.md5} stand for that root. Its page tells whether
 *                             the TLS session was new or resumed (the server's view).
 *   @file NAME "json string"  the module file NAME holds exactly these bytes
 *   @pki ca=1216 client=1224 clientkey=1679
 *                             certificates made for the run (a CA, a client identity, a
 *                             server certificate), their PEM texts of these exact sizes
 *   @tls-server NAME:PORT [mutual] [echo] [close]
 *                             a real node:tls server on 127.0.0.1:PORT for the run, with a
 *                             certificate for NAME from the @pki CA; "mutual" asks for and
 *                             requires a client certificate of that CA, "echo" sends back
 *                             what it receives, "close" ends the connection after the first
 *                             data it receives (and echoes). Map NAME with @hosts NAME=127.0.0.1.
 *                             "dtls": openssl s_server -dtls1_2 on UDP PORT instead (mutual,
 *                             echo as above; no close). "dtls mqttsn-gateway": `modemlab
 *                             mqttsn-gateway --dtls` there instead, in front of a mosquitto.
 *   >>pki ca|client|clientkey send that PEM text as it is (no CR added)
 *   <<pki ca|client|clientkey expect that PEM text (the echo of a prompt)
 *   @tls-peer ADDR:PORT KIND [FLAGS]
 *                             starts a real TLS server on loopback (testing/tls-peers.ts:
 *                             echo, respond, http, session, silent; flags tls1, mutual) and
 *                             routes the module's connections to ADDR:PORT to it; a
 *                             final "json string" is what a respond server answers
 *   >>> NAME                  sends a test file's bytes (tls-peers.ts pkiFile: ca.pem,
 *                             client.pem, client.key, client-rsa.key, ca.der...)
 *   @ftp-server ADDR:PORT [FLAGS]
 *                             starts a real FTP server on loopback (ftp-srv, user "modem",
 *                             password "secret") with explicit TLS (AUTH TLS, the test PKI's
 *                             server certificate) and routes ADDR:PORT to it; flags: tls1
 *                             (TLS 1.0 allowed, @SECLEVEL=0), plain (AUTH TLS refused),
 *                             vsftpd (Debian's vsftpd instead: anonymous, PASV refused so
 *                             only PORT works, FTPS forced with require_ssl_reuse unless
 *                             plain; uploads go to upload/)
 *   @mqtt-broker ADDR:PORT  starts a real mosquitto on loopback and routes ADDR:PORT to it
 *   @coap-server ADDR:PORT  starts libcoap's coap-server-openssl on loopback (resources
 *                             "/", "/time", "/async", and any path a PUT creates, which is
 *                             observable) and routes ADDR:PORT to it, UDP (coap://) and TCP
 *                             (coap+tcp://) alike; `psk=KEY secure=ADDR:PORT` adds its
 *                             DTLS-PSK endpoint (coaps://, identity any, hint "CoAP") at the
 *                             second target
 *   @mqttsn-gateway ADDR:PORT
 *                             `modemlab mqttsn-gateway` over plain UDP on loopback, in front
 *                             of a mosquitto, predefined topic 1 = "anywhere/telemetry";
 *                             routes ADDR:PORT (UDP) to it
 *   @ftp-file NAME "json string"
 *                             a file the FTP server holds from the start
 *   @ftp-check NAME "json string"
 *                             the FTP server's file NAME holds exactly these bytes now
 * In sent and expected text, {size:NAME} is that test file's length in bytes.
 * In expected text, {*} matches any run of characters other than , CR and LF, and
 * {=name} captures such a run (without quotes) as variable `name`. In sent and expected
 * text, {name} is replaced by a variable's value.
 */
import { encodeFrame } from '@modemlab/at';
import type { GnssSetup } from '../services/gnss.js';
import { parsePosition, parseTrack } from '../services/gnss-track.js';
export type Step =
  | { kind: 'send'; bytes: Buffer; line?: string }
  | { kind: 'expect'; text: string }
  | { kind: 'advance'; ms: number }
  | { kind: 'sleep'; ms: number }
  | { kind: 'echo'; on: boolean }
  | { kind: 'coverage'; on: boolean }
  | { kind: 'file'; name: string; text: string }
  | { kind: 'fota-push'; name: string; text: string }
  | { kind: 'send-pki'; item: PkiItem }
  | { kind: 'expect-pki'; item: PkiItem }
  | { kind: 'send-file'; name: string }
  | { kind: 'ftp-check'; name: string; data: Buffer };

/** A libcoap peer: `target` for coap:// and coap+tcp://; with a PSK, `secure` for coaps:// (DTLS-PSK). */
export interface CoapServerPeer {
  target: string;
  psk?: string;
  secure?: string;
}

export interface TranscriptFtpServer {
  /** "ADDRESS:PORT" the module connects to. */
  target: string;
  flags: string[];
  files: Record<string, Buffer>;
}

export type PkiItem = 'ca' | 'client' | 'clientkey';
const PKI_ITEMS: readonly string[] = ['ca', 'client', 'clientkey'];

export interface TlsServerSpec {
  name: string;
  port: number;
  mutual: boolean;
  echo: boolean;
  close: boolean;
  /** A DTLS 1.2 server on UDP PORT instead (openssl s_server). */
  dtls: boolean;
  /** With dtls: modemlab's MQTT-SN gateway over DTLS in front of a mosquitto, instead of s_server. */
  mqttsnGateway?: boolean;
}

/** A real HTTPS server the runner starts before the module (@https-server). */
export interface HttpsServerSpec {
  name: string;
  caName?: string;
  caExpiry?: string;
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
}

export interface TranscriptPeer {
  /** "ADDRESS:PORT" the module connects to. */
  target: string;
  kind: string;
  flags: string[];
  /** What a 'respond' server answers. */
  reply?: string;
}

export interface Transcript {
  model: string;
  /** The module clock's start (ms since the epoch); undefined: now. */
  clock?: number;
  gnss?: GnssSetup;
  hosts: Record<string, string>;
  network: Record<string, string | number>;
  servers: HttpsServerSpec[];
  /** PEM sizes asked by @pki (undefined: no certificates needed). */
  pki?: Partial<Record<PkiItem, number>>;
  tlsServers: TlsServerSpec[];
  peers: TranscriptPeer[];
  ftpServers: TranscriptFtpServer[];
  /** @mqtt-broker: the "ADDRESS:PORT" targets a mosquitto stands for. */
  mqttBrokers?: string[];
  /** @coap-server: the libcoap servers and the "ADDRESS:PORT" targets they stand for. */
  coapServers?: CoapServerPeer[];
  /** @mqttsn-gateway: the "ADDRESS:PORT" targets the shipped MQTT-SN gateway (UDP) stands for. */
  mqttsnGateways?: string[];
  steps: Step[];
}

const FINAL = /^(OK|ERROR|CONNECT( .*)?|NO CARRIER|BUSY|NO ANSWER|NO DIALTONE|ABORTED|\+CME ERROR: .*|\+CMS ERROR: .*)$/;

export function parseTranscript(source: string): Transcript {
  const t: Transcript = { model: 'sara-r5', hosts: {}, network: {}, servers: [], tlsServers: [], peers: [], ftpServers: [], steps: [] };
  const lines = source.split(/\r?\n/);
  let echo = true;
  let group: string[] = [];
  let pendingEchoChange: boolean | undefined;

  const flushGroup = (lineNo: number) => {
    if (group.length === 0) return;
    const last = group[group.length - 1]!;
    let text: string;
    if (last === '>' || last === '@') {
      const info = group.slice(0, -1);
      text = (info.length ? `\r\n${info.join('\r\n')}\r\n` : '') + `\r\n${last}`;
    } else {
      if (!FINAL.test(last)) throw new Error(`line ${lineNo}: a response group must end with a final result code or a prompt, got ${JSON.stringify(last)}`);
      const info = group.slice(0, -1);
      text = (info.length ? `\r\n${info.join('\r\n')}\r\n` : '') + `\r\n${last}\r\n`;
    }
    t.steps.push({ kind: 'expect', text });
    group = [];
    if (pendingEchoChange !== undefined) {
      echo = pendingEchoChange;
      pendingEchoChange = undefined;
    }
  };

  lines.forEach((raw, index) => {
    const lineNo = index + 1;
    const line = raw.replace(/\s+$/, '');
    if (line === '' || line.startsWith('#')) return;
    if (line.startsWith('< ') || line === '<') {
      group.push(line.slice(2));
      return;
    }
    flushGroup(lineNo);
    const [head, ...rest] = line.split(' ');
    const arg = rest.join(' ');
    switch (head) {
      case '@model':
        t.model = arg.trim();
        break;
      case '@hosts':
        for (const pair of arg.split(',')) {
          const [name, ip] = pair.split('=');
          if (!name || !ip) throw new Error(`line ${lineNo}: bad @hosts entry ${pair}`);
          t.hosts[name.trim()] = ip.trim();
        }
        break;
      case '@network':
        for (const m of arg.matchAll(/(\w+)=("([^"]*)"|\S+)/g)) {
          t.network[m[1]!] = m[3] !== undefined ? m[3] : Number.isNaN(Number(m[2])) ? m[2]! : Number(m[2]);
        }
        break;
      case '@clock': {
        const ms = Date.parse(arg.trim());
        if (!Number.isFinite(ms)) throw new Error(`line ${lineNo}: bad @clock ${arg}`);
        t.clock = ms;
        break;
      }
      case '@gnss':
        t.gnss = { position: parsePosition(arg) };
        break;
      case '@gnss-track':
        t.gnss = { track: parseTrack(JSON.parse(arg) as string) };
        break;
      case '@echo':
        echo = arg.trim() === 'on';
        t.steps.push({ kind: 'echo', on: echo });
        break;
      case '@pki': {
        const sizes: Partial<Record<PkiItem, number>> = {};
        for (const m of arg.matchAll(/(\w+)=(\d+)/g)) {
          if (!PKI_ITEMS.includes(m[1]!)) throw new Error(`line ${lineNo}: unknown @pki item ${m[1]}`);
          sizes[m[1] as PkiItem] = Number(m[2]);
        }
        t.pki = sizes;
        break;
      }
      case '@tls-server': {
        const [where = '', ...flags] = arg.trim().split(/\s+/);
        const m = /^([^:\s]+):(\d+)$/.exec(where);
        if (!m) throw new Error(`line ${lineNo}: @tls-server NAME:PORT expected`);
        t.tlsServers.push({ name: m[1]!, port: Number(m[2]), mutual: flags.includes('mutual'), echo: flags.includes('echo'), close: flags.includes('close'), dtls: flags.includes('dtls'), ...(flags.includes('mqttsn-gateway') ? { mqttsnGateway: true } : {}) });
        t.pki ??= {};
        break;
      }
      case '>>pki':
      case '<<pki': {
        const item = arg.trim();
        if (!PKI_ITEMS.includes(item)) throw new Error(`line ${lineNo}: unknown PKI item ${item}`);
        t.steps.push({ kind: head === '>>pki' ? 'send-pki' : 'expect-pki', item: item as PkiItem });
        break;
      }
      case '@https-server': {
        const [name, ...options] = arg.trim().split(/\s+(?=\w+=)/);
        if (!name) throw new Error(`line ${lineNo}: @https-server needs a host name`);
        const spec: HttpsServerSpec = { name };
        for (const m of options.join(' ').matchAll(/(\w+)=("([^"]*)"|\S+)/g)) {
          const value = m[3] ?? m[2]!;
          if (m[1] === 'ca') spec.caName = value;
          else if (m[1] === 'expiry') spec.caExpiry = value;
          else if (m[1] === 'tls' && (value === '1.2' || value === '1.3')) spec.maxVersion = `TLSv${value}`;
          else throw new Error(`line ${lineNo}: bad @https-server option ${m[0]}`);
        }
        t.servers.push(spec);
        break;
      }
      case '@file': {
        const m = /^(\S+)\s+(".*")$/.exec(arg.trim());
        if (!m) throw new Error(`line ${lineNo}: @file NAME "json string"`);
        t.steps.push({ kind: 'file', name: m[1]!, text: JSON.parse(m[2]!) as string });
        break;
      }
      case '@fota-push': {
        const m = /^(\S+)\s+(".*")$/.exec(arg.trim());
        if (!m) throw new Error(`line ${lineNo}: @fota-push NAME "json string"`);
        t.steps.push({ kind: 'fota-push', name: m[1]!, text: JSON.parse(m[2]!) as string });
        break;
      }
      case '@tls-peer': {
        const quote = arg.indexOf('"');
        const [target, kind, ...flags] = (quote >= 0 ? arg.slice(0, quote) : arg).trim().split(/\s+/);
        if (!target || !kind || !/^[^:]+:\d+$/.test(target)) throw new Error(`line ${lineNo}: @tls-peer ADDRESS:PORT KIND [FLAGS] ["reply"]`);
        t.peers.push({ target, kind, flags, ...(quote >= 0 ? { reply: JSON.parse(arg.slice(quote)) as string } : {}) });
        break;
      }
      case '@ftp-server': {
        const [target, ...flags] = arg.trim().split(/\s+/);
        if (!target || !/^[^:]+:\d+$/.test(target)) throw new Error(`line ${lineNo}: @ftp-server ADDRESS:PORT [FLAGS]`);
        t.ftpServers.push({ target, flags, files: {} });
        break;
      }
      case '@mqtt-broker': {
        const target = arg.trim();
        if (!/^[^:\s]+:\d+$/.test(target)) throw new Error(`line ${lineNo}: @mqtt-broker ADDRESS:PORT`);
        (t.mqttBrokers ??= []).push(target);
        break;
      }
      case '@coap-server': {
        const [target = '', ...opts] = arg.trim().split(/\s+/);
        const server: CoapServerPeer = { target };
        for (const o of opts) {
          const [k, v = ''] = o.split('=');
          if (k === 'psk' && v) server.psk = v;
          else if (k === 'secure' && /^[^:\s]+:\d+$/.test(v)) server.secure = v;
          else throw new Error(`line ${lineNo}: @coap-server option '${o}'`);
        }
        if (!/^[^:\s]+:\d+$/.test(target) || (server.secure && !server.psk)) throw new Error(`line ${lineNo}: @coap-server ADDRESS:PORT [psk=KEY secure=ADDRESS:PORT]`);
        (t.coapServers ??= []).push(server);
        break;
      }
      case '@mqttsn-gateway': {
        const target = arg.trim();
        if (!/^[^:\s]+:\d+$/.test(target)) throw new Error(`line ${lineNo}: @mqttsn-gateway ADDRESS:PORT`);
        (t.mqttsnGateways ??= []).push(target);
        break;
      }
      case '@ftp-file':
      case '@ftp-check': {
        const m = /^(\S+)\s+(".*")$/.exec(arg.trim());
        if (!m) throw new Error(`line ${lineNo}: ${head} NAME "json string"`);
        const data = Buffer.from(JSON.parse(m[2]!) as string, 'latin1');
        if (head === '@ftp-check') {
          t.steps.push({ kind: 'ftp-check', name: m[1]!, data });
          break;
        }
        const server = t.ftpServers[t.ftpServers.length - 1];
        if (!server) throw new Error(`line ${lineNo}: @ftp-file before any @ftp-server`);
        server.files[m[1]!] = data;
        break;
      }
      case '>>>':
        t.steps.push({ kind: 'send-file', name: arg.trim() });
        break;
      case '@coverage':
        t.steps.push({ kind: 'coverage', on: arg.trim() === 'on' });
        break;
      case '>': {
        t.steps.push({ kind: 'send', bytes: Buffer.from(`${arg}\r`, 'latin1'), line: arg });
        if (echo) t.steps.push({ kind: 'expect', text: `${arg}\r` });
        const e = /^ATE([01])$/i.exec(arg);
        if (e) pendingEchoChange = e[1] === '1';
        break;
      }
      case '>>':
        t.steps.push({ kind: 'send', bytes: Buffer.from(JSON.parse(arg) as string, 'latin1') });
        break;
      case '<<':
        t.steps.push({ kind: 'expect', text: JSON.parse(arg) as string });
        break;
      case '>>hex':
        t.steps.push({ kind: 'send', bytes: Buffer.from(arg.replace(/\s+/g, ''), 'hex') });
        break;
      case '<<hex':
        t.steps.push({ kind: 'expect', text: Buffer.from(arg.replace(/\s+/g, ''), 'hex').toString('latin1') });
        break;
      case '>>uih':
      case '<<uih': {
        const m = /^(\d+)\s+(".*")$/.exec(arg.trim());
        if (!m) throw new Error(`line ${lineNo}: ${head} DLCI "json string"`);
        const data = Buffer.from(JSON.parse(m[2]!) as string, 'latin1');
        const bytes = encodeFrame({ dlci: Number(m[1]), type: 'UIH', cr: head === '>>uih', pf: false, data });
        t.steps.push(head === '>>uih' ? { kind: 'send', bytes } : { kind: 'expect', text: bytes.toString('latin1') });
        break;
      }
      case '!':
        t.steps.push({ kind: 'expect', text: `\r\n${arg}\r\n` });
        break;
      case '~':
        t.steps.push({ kind: 'advance', ms: Number(arg) });
        break;
      case '~~':
        t.steps.push({ kind: 'sleep', ms: Number(arg) });
        break;
      default:
        throw new Error(`line ${lineNo}: unknown directive ${JSON.stringify(line)}`);
    }
  });
  flushGroup(lines.length);
  return t;
}

/** Turns expected text with {*} wildcards and {=name} captures into an anchored pattern. */
export function expectationPattern(text: string): RegExp {
  const source = text
    .split(/(\{\*\}|\{=\w+\})/)
    .map((p) => {
      if (p === '{*}') return '[^,\\r\\n]*';
      const capture = /^\{=(\w+)\}$/.exec(p);
      if (capture) return `(?<${capture[1]}>[^,\\r\\n"]*)`;
      return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}`, 's');
}

/** Replaces {name} by the value of a known variable; other braces stay as they are. */
export function substitute(text: string, vars: ReadonlyMap<string, string>): string {
  return text.replace(/\{([A-Za-z][\w.]*)\}/g, (whole, name: string) => vars.get(name) ?? whole);
}
