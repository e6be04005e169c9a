import type { CertFacts, ConstraintName } from './cert-facts.js';

/**
 * RFC 5280 §4.2.1.10 name constraints of one CA certificate, applied to a certificate it
 * (directly or through other CAs) issued: every name of a constrained form must be inside
 * one permitted subtree of that form and in no excluded subtree. The names are the subject
 * (a directory name), the subjectAltName entries and, for a leaf without a DNS
 * subjectAltName, its common names that look like host names (as OpenSSL does: browsers
 * and TLS clients match them).
 *
 * Returns a reason when violated, undefined when the certificate complies.
 */
export function violatesNameConstraints(ca: CertFacts, cert: CertFacts, isLeaf: boolean): string | undefined {
  const nc = ca.nameConstraints;
  if (!nc) return undefined;
  const names: ConstraintName[] = [...cert.altNames];
  if (cert.subjectRdns.length) names.push({ kind: 'dir', rdns: cert.subjectRdns });
  if (isLeaf && !cert.altNames.some((n) => n.kind === 'dns')) {
    for (const cn of cert.commonNames) if (looksLikeHost(cn)) names.push({ kind: 'dns', value: cn.toLowerCase() });
  }
  for (const name of names) {
    const excluded = nc.excluded.find((c) => c.kind === name.kind && within(name, c));
    if (excluded) return `${describe(name)} is in an excluded subtree (${describe(excluded)})`;
    const permittedOfKind = nc.permitted.filter((c) => c.kind === name.kind);
    if (permittedOfKind.length && !permittedOfKind.some((c) => within(name, c))) return `${describe(name)} is outside the permitted subtrees`;
  }
  // A constraint of a form this validator cannot evaluate, on a certificate carrying such a name.
  const unsupported = [...nc.permitted, ...nc.excluded].find((c) => c.kind === 'other' && names.some((n) => n.kind === 'other' && n.type === c.type));
  if (unsupported) return 'unsupported name constraint form';
  return undefined;
}

/** OpenSSL's test (cn2dnsid): at least two labels of letters, digits and hyphens. */
function looksLikeHost(cn: string): boolean {
  return /^[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(cn);
}

function within(name: ConstraintName, c: ConstraintName): boolean {
  switch (name.kind) {
    case 'dns':
      return c.kind === 'dns' && dnsWithin(name.value, c.value);
    case 'ip':
      if (c.kind !== 'ip' || !c.mask || c.bytes.length !== name.bytes.length) return false;
      return name.bytes.every((b, i) => (b & c.mask![i]!) === (c.bytes[i]! & c.mask![i]!));
    case 'dir':
      return c.kind === 'dir' && c.rdns.every((r, i) => name.rdns[i] === r);
    case 'email': {
      if (c.kind !== 'email') return false;
      if (c.value.includes('@')) return name.value === c.value;
      const host = name.value.slice(name.value.lastIndexOf('@') + 1);
      return c.value.startsWith('.') ? host.endsWith(c.value) : host === c.value;
    }
    case 'uri': {
      if (c.kind !== 'uri') return false;
      const host = /^[a-z][a-z0-9+.-]*:\/\/(?:[^@/]*@)?([^:/?#]+)/.exec(name.value)?.[1] ?? '';
      return c.value.startsWith('.') ? host.endsWith(c.value) : host === c.value;
    }
    default:
      return false;
  }
}

/** "example.test" covers itself and every name under it; ".example.test" only the names under it. */
function dnsWithin(name: string, constraint: string): boolean {
  if (constraint === '') return true;
  if (constraint.startsWith('.')) return name.endsWith(constraint);
  return name === constraint || name.endsWith(`.${constraint}`);
}

function describe(n: ConstraintName): string {
  switch (n.kind) {
    case 'dns':
      return `DNS:${n.value}`;
    case 'ip':
      return `IP:${[...n.bytes].join('.')}`;
    case 'dir':
      return `DirName:${n.rdns.join(',')}`;
    case 'email':
      return `email:${n.value}`;
    case 'uri':
      return `URI:${n.value}`;
    default:
      return `name type ${n.type}`;
  }
}
