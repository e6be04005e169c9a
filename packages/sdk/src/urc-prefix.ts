/**
 * Prefix rules shared by URC routing and expected-response matching.
 */

/**
 * True when `line` starts with the information-text prefix `prefix` (`+CEREG` or `+CEREG:`),
 * as a whole name: `+UUPING` matches `+UUPING: 1,...` but not `+UUPINGER: 8`.
 */
export function matchesPrefix(line: string, prefix: string): boolean {
  if (prefix === '') return false;
  if (!line.toUpperCase().startsWith(prefix.toUpperCase())) return false;
  if (line.length === prefix.length) return true;
  if (!/[A-Za-z0-9_]$/.test(prefix)) return true;
  return !/[A-Za-z0-9_]/.test(line[prefix.length]!);
}

/**
 * The information-text prefix a command's response lines carry, by default its name:
 * `AT+CEREG?` -> `+CEREG:`, `AT#SSLD=1` -> `#SSLD:`, `AT+UPSDA=0,3` -> `+UPSDA:`.
 * Basic commands (`ATI9`, `AT&C1`) have none.
 */
export function defaultExpectPrefix(command: string): string | undefined {
  const m = /^AT([+#$%^][A-Za-z0-9_]+)/i.exec(command.trim());
  return m ? `${m[1]!.toUpperCase()}:` : undefined;
}
