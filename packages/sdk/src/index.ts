export { AtClient } from './at-client.js';
export { AtTracer, AT_CLIENT_LAYER, channelTrace, type AtTraceOptions, type AtTraceSink } from './at-trace.js';
export type { AtClientOptions, AtResponse, PromptOptions, SendOptions, StreamIntercept, UrcHandler, WaitForUrcOptions } from './at-client.js';
export { C2cIntercept, C2C_INTERCEPT, type C2cInterceptOptions } from './c2c-intercept.js';
export { UbloxC2c, type C2cPairing } from './drivers/ublox/c2c.js';
export { AtError, AtTimeoutError, CmeError, ConnectionClosedError, UnsupportedFeatureError, UrcError } from './errors.js';
// Typed modems, typed network errors, the logger hook (issue 13 points 2, 4, 5).
export {
  ConnectionFailedError,
  ConnectionRefusedError,
  ConnectTimeoutError,
  DnsError,
  ModemNetworkError,
  ModuleBusyError,
  TlsHandshakeError,
  VendorMismatchError,
  type NetworkFailure,
  type TlsFailureKind,
} from './errors.js';
export type { SdkLogger } from './logger.js';
export { isQuectel, isTelit, isUblox, isVendor, type AnyModem, type ModemByVendor, type ModemOf } from './typed-modem.js';
export { CME_TEXTS, cmeCodeOf } from './cme-codes.js';
export { parseCmeError, parseFinalResult, verbosityAfter } from './result-codes.js';
export type { FinalResult, SuccessFinal } from './result-codes.js';
export { LineSplitter } from './line-splitter.js';
export { defaultExpectPrefix, matchesPrefix } from './urc-prefix.js';
export { paramsOf, parseInfoLine, quote } from './params.js';
export type { InfoLine } from './params.js';
export type {
  AttachOptions,
  AttachResult,
  CellularModem,
  CertificateKind,
  ConnectOptions as ModemConnectOptions,
  ModemCertificates,
  ModemIdentity,
  ModemTls,
  ModemVendor,
  StoredCertificate,
  TlsSettings,
} from './modem.js';
export { CmuxHost, CmuxChannelRefusedError, MuxChannel, enterMux, openMux, type CmuxHostOptions, type MuxOptions, type OpenedMux } from './mux/index.js';
export { openModem, detectVendor, driverFor, vendorOf, type OpenModemOptions } from './open-modem.js';
export { TelitModem, TELIT_INIT_SEQUENCE, TELIT_SSLCFG } from './drivers/telit.js';
export { TelitCertificates, TELIT_DATA_TYPE, TELIT_MAX_SECURITY_DATA } from './drivers/telit/certificates.js';
export { TelitTls, TELIT_CIPHER_SUITES, type TelitFamily } from './drivers/telit/tls.js';
export { TelitSocketBackend } from './drivers/telit/socket-backend.js';
export { QuectelModem, QuectelCertificates, QuectelTls, QUECTEL_INIT_SEQUENCE, QUECTEL_CONTEXT_ID, QUECTEL_CONNECT_IDS } from './drivers/quectel.js';
export { QuectelSocketBackend, QUECTEL_MAX_HEX_SEND } from './drivers/quectel/socket-backend.js';
export { UbloxTls } from './drivers/ublox/tls.js';
// RoT key services of modem.security (psk, e2eEncrypt, localEncrypt/localDecrypt, ztp.credentials).
export { UbloxSecurityKeys, type RotPsk, type ZtpCredentials } from './drivers/ublox/security-keys.js';
export { UbloxModem, UBLOX_INIT_SEQUENCE, ceregStat } from './drivers/ublox.js';
export { UbloxSecurity } from './drivers/ublox/security.js';
export { UbloxSecurityService, SECURITY_TRANSACTION_TIMEOUT_MS, SEC_BUSY_RETRY, isSecBusy, type SecBusyRetry, type DeviceInfo as SecurityDeviceInfo } from './drivers/ublox/security-service.js';
export type { PingReply, UbloxAttachOptions } from './drivers/ublox.js';
export { connectTcp, parseTcpUrl } from './transports/tcp.js';
export { openSerial } from './transports/serial.js';
export { fromStream } from './transports/stream.js';
export { openTransport } from './transports/open.js';
export type { TransportOptions } from './transports/open.js';
export { ModemSocket, type SocketBackend } from './socket/modem-socket.js';
export { UbloxCertificates, CERTIFICATE_TYPES, type CertificateEntry, type CertificateType } from './drivers/ublox/certificates.js';
export { UbloxSecurityProfiles, PROFILE_OP, type SecurityProfileOptions } from './drivers/ublox/security-profiles.js';
export type { ConnectOptions, InlineTlsOptions } from './drivers/ublox/connect.js';
export { UbloxUdpSocket, type UdpMessageInfo } from './drivers/ublox/udp.js';
export { UbloxFiles, type DownloadOptions, type UploadOptions } from './drivers/ublox/files.js';
export { UbloxCoap, CoapRequestError, CoapObservation, type CoapNotification, type CoapMethod, type CoapConfigureOptions, type CoapRequestOptions, type CoapResponse } from './drivers/ublox/coap.js';
export { UbloxMqtt, MqttCommandError, MQTT_MAX_MESSAGE, type ModemMqttConnectOptions, type ModemMqttPublishOptions } from './drivers/ublox/mqtt.js';
export { UbloxGpio, type GpioSetup } from './drivers/ublox/gpio.js';
export { UbloxGnss, type CellLocation, type NmeaSentence } from './drivers/ublox/gnss.js';
export { UbloxHttp, HttpRequestError, type HttpMethod, type HttpProfileOptions, type HttpRequestOptions, type HttpResponse } from './drivers/ublox/http.js';
export * from './cloud/index.js';
export { UbloxMqttSn, MqttSnError, type MqttSnConnectOptions, type MqttSnMessageInfo, type SnTopicRef } from './drivers/ublox/mqttsn.js';
export { UbloxFtp, FtpCommandError, type FtpConnectOptions } from './drivers/ublox/ftp.js';
export * from './lab/index.js';
