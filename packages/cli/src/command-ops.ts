/**
 * The op codes (the parameter choosing what a command does) each op-code command implements,
 * for the forms column of docs/commands.md. The registry knows a command's forms, not its
 * op codes: `codes` is written as the module's own test form (AT+X=?) lists them, and
 * test/command-ops.test.ts checks it against the `group`-th parenthesised list of a virtual
 * SARA-R5's answer. Two other checks for commands whose test form does not list every code:
 * `probe` (each code is accepted by the query form AT+X=<probe><code>, the codes next to each
 * range are refused) and `quoted` (the codes are the quoted names the test form lists).
 * A data table, nothing else.
 */
export interface OpRow {
  /** As the test response lists them: "0-4", "0-7,9". */
  codes: string;
  /** What the codes do, short. */
  meaning: string;
  /** Which parenthesised list of the AT+X=? answer holds the codes (absent: not checkable that way). */
  group?: number;
  /** The model whose answer the test checks (default sara-r5). */
  model?: 'sara-r5' | 'ge910' | 'bc66';
  /** Checked by querying each code: AT+X=<probe><code> answers OK, a code next to a range an error. */
  probe?: string;
  /** `codes` are names ("a,b,c"): the quoted strings of the AT+X=? answer, in order. */
  quoted?: true;
}

export const COMMAND_OPS: Record<string, OpRow> = {
  '+USECMNG': { codes: '0-4', meaning: 'import (stream), import (file), remove, list, MD5', group: 0 },
  '+USECPRF': { codes: '0-16', meaning: 'validation, TLS version, cipher, CA, host name, client cert, key, key password, PSK, PSK identity, SNI, RoT PSK, pinning, session, ZTP, ALPN, database', group: 1 },
  '+UHTTP': { codes: '0-7,9', meaning: 'server IP, server name, user, password, auth, port, secure; 9 custom header', group: 1 },
  '+UHTTPC': { codes: '0-5', meaning: 'HEAD, GET, DELETE, PUT, POST file, POST data', group: 1 },
  '+UFTP': { codes: '0-8', meaning: 'server IP, server name, user, password, account, inactivity timeout, mode, port, secure', group: 0 },
  '+UFTPC': { codes: '0-8,10,11,13,14', meaning: 'logout, login, delete, rename, retrieve, store, direct get, direct put, cd; mkdir, rmdir; info, list', group: 0 },
  '+UCOAP': { codes: '0-7', meaning: 'the URI and PDU settings of the current profile (see docs/guide.md "CoAP with the module\'s own client")', group: 0 },
  '+UCOAPC': { codes: '1-6', meaning: 'GET, DELETE, PUT, POST; 5 observe (RFC 7641), 6 cancel the observation', group: 0 },
  '+UMQTT': { codes: '0-4,6-12', meaning: 'client id, port, server name, server IP, credentials; will QoS, will retain, will topic, will message, keep alive, secure, clean session', group: 0 },
  '+UMQTTC': { codes: '0-6,8,9', meaning: 'logout, login, publish, publish file, subscribe, unsubscribe, read; ping, publish binary', group: 0 },
  '+UPSD': { codes: '0-7,100', meaning: 'IP type, APN, user, password, DNS 1, DNS 2, authentication, static IP; 100 the +CGDCONT context the profile maps to', probe: '0,' },
  '+UPSDA': { codes: '0-4', meaning: 'reset, store, load, activate, deactivate', group: 1 },
  '#SSLSECDATA': { codes: '0-2', meaning: 'delete, write (Ctrl-Z ends the PEM), read; data type 0 client certificate, 1 CA, 2 key', group: 1, model: 'ge910' },
  '+QSSLCFG': { codes: 'seclevel,dataformat,timeout,debug,cacert,clientcert,clientkey', meaning: 'authentication mode, send/receive data format (text/hex), timeout, debug level; CA, client certificate, client key (PEM after >, Ctrl-Z ends)', quoted: true, model: 'bc66' },
};
