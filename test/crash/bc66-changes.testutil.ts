/** The changes the BC66 crash writer makes: change i defines the default bearer with a type, APN and credentials derived from i. */
const TYPES = ['IP', 'IPV6', 'IPV4V6', 'Non-IP'];

export function bc66ChangeOf(i: number): { kind: 'qcgdefcont'; line: string; value: string } {
  // Always with credentials: whether a definition without them keeps the earlier ones is
  // not what this test is about.
  const args = `"${TYPES[i % TYPES.length]}","v${i}.apn","user${i}","secret${i}"`;
  return { kind: 'qcgdefcont', line: `AT+QCGDEFCONT=${args}`, value: args };
}
