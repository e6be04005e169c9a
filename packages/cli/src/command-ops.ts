/**
 * The op codes (the first numeric parameter choosing what a command does) each op-code
 * command implements, for the `ops` column of docs/commands.md. The registry knows a
 * command's forms, not its op codes: these are copied from the handlers' op tables (named
 * in each row) and must follow them. A data table, nothing else.
 */
export const COMMAND_OPS: Record<string, string> = {
  '+USECMNG': '0 import (stream), 1 import (file), 2 remove, 3 list, 4 MD5 (usecmng.ts OP_CODES)',
  '+USECPRF': '0-16: validation, TLS version, cipher, CA, host name, client cert, key, key password, PSK, PSK identity, SNI, RoT PSK, pinning, session, ZTP, ALPN, database (usecprf.ts OPS)',
  '+UHTTP': '0-7, 9: server IP, name, user, password, auth, port, secure, custom header 9 (http.ts OPS)',
  '+UHTTPC': '0 HEAD, 1 GET, 2 DELETE, 3 PUT, 4 POST file, 5 POST data (http.ts COMMANDS)',
  '+UFTP': '0-8 (ftp.ts PROFILE_OPS)',
  '+UFTPC': '0 logout, 1 login, 2 delete, 3 rename, 4 retrieve, 5 store, 6/7 direct link get/put, 8 cd, 10 mkdir, 11 rmdir, 13 info, 14 list (ftp.ts Op)',
  '+UCOAP': '0-7 (coap.ts OPS)',
  '+UMQTT': '0-4, 6-12 (mqtt.ts OPS)',
  '+UMQTTC': '0-6, 8, 9 (mqtt-session.ts)',
  '+UPSD': '0-7, 100 (psd.ts OPS)',
  '+UPSDA': '0-4 actions (psd.ts)',
};
