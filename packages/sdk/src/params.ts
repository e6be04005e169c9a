/**
 * Host-side reading of information text: `+CGDCONT: 1,"IP","apn","10.0.0.5",0,0`
 * -> prefix `+CGDCONT`, params `['1', 'IP', 'apn', '10.0.0.5', '0', '0']`.
 * Quoted strings lose their quotes (commas inside them are kept); omitted values are ''.
 */
export interface InfoLine {
  /** `+CGDCONT`, or undefined for a line without `<name>:` (e.g. an IMEI). */
  prefix: string | undefined;
  params: string[];
  /** Which params were quoted strings. */
  quoted: boolean[];
}

export function parseInfoLine(line: string): InfoLine {
  const m = /^([+#$%^][A-Za-z0-9_]+):\s*/.exec(line);
  const prefix = m?.[1];
  const body = m ? line.slice(m[0].length) : line;
  const params: string[] = [];
  const quoted: boolean[] = [];
  let cur = '';
  let inQuotes = false;
  let wasQuoted = false;
  for (const ch of body) {
    if (inQuotes) {
      if (ch === '"') inQuotes = false;
      else cur += ch;
    } else if (ch === '"') {
      inQuotes = true;
      wasQuoted = true;
    } else if (ch === ',') {
      params.push(wasQuoted ? cur : cur.trim());
      quoted.push(wasQuoted);
      cur = '';
      wasQuoted = false;
    } else cur += ch;
  }
  params.push(wasQuoted ? cur : cur.trim());
  quoted.push(wasQuoted);
  return { prefix, params, quoted };
}

/** The params of the first line carrying `prefix` (`+CEREG` or `+CEREG:`), or undefined. */
export function paramsOf(lines: readonly string[], prefix: string): string[] | undefined {
  const name = prefix.replace(/:$/, '').toUpperCase();
  for (const line of lines) {
    const info = parseInfoLine(line);
    if (info.prefix?.toUpperCase() === name) return info.params;
  }
  return undefined;
}

/** Quotes a string parameter for a command line (`"` inside is not representable in AT). */
export function quote(value: string): string {
  if (/["\r\n]/.test(value)) throw new TypeError(`value cannot be sent as an AT string: ${JSON.stringify(value)}`);
  return `"${value}"`;
}
