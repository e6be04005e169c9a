/** A root certificate a product carries from the factory (seed 002, +USECMNG notes). */
export interface PreinstalledRoot {
  /** Internal name, up to 60 characters. */
  name: string;
  /** Subject common name, used to find the certificate among Node's public roots. */
  commonName: string;
}

/**
 * The SARA-R5 pre-installed database as seed 002 lists it. The certificates themselves
 * are the public roots Node carries (`tls.rootCertificates`), matched by subject common
 * name. Two of the seed's roots are not among them (Baltimore CyberTrust Root expired in
 * 2025 and left the Mozilla store; the T-Mobile USA enterprise root was never in it):
 * a name whose certificate Node lacks is left out of the database. Expiry dates are the
 * real certificates' (Node's Starfield Services G2 is the self-signed one valid to 2037,
 * not the cross-signed one of the seed table).
 */
export const SARA_R5_PREINSTALLED_ROOTS: readonly PreinstalledRoot[] = [
  { name: 'ubx_digicert_global_root_ca', commonName: 'DigiCert Global Root CA' },
  { name: 'ubx_digicert_global_root_g2', commonName: 'DigiCert Global Root G2' },
  { name: 'ubx_digicert_trusted_root_g4', commonName: 'DigiCert Trusted Root G4' },
  { name: 'ubx_digicert_eccp384_root_g5', commonName: 'DigiCert TLS ECC P384 Root G5' },
  { name: 'ubx_digicert_rsa4096_root_g5', commonName: 'DigiCert TLS RSA4096 Root G5' },
  { name: 'ubx_baltimore_cybertrust_root', commonName: 'Baltimore CyberTrust Root' },
  { name: 'ubx_tmo_usa_enterprise_root_ca', commonName: 'T-Mobile USA Enterprise Root CA' },
  { name: 'ubx_starfield_service_root_ca_g2', commonName: 'Starfield Services Root Certificate Authority - G2' },
];
