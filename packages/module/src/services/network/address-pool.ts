/**
 * Hands out addresses the way an operator's gateway does: the first context gets the
 * pool's first address, the next one the following address. A context that comes back
 * gets its old address again, so a reconnecting host sees a stable IP (as in the seed's
 * examples, where 100.108.232.233 survives re-activation).
 */
export class AddressPool {
  private readonly v4 = new Map<number, string>();
  private readonly v6 = new Map<number, string>();

  constructor(
    private readonly firstV4: string,
    private readonly v6Prefix: string,
  ) {}

  ipv4For(cid: number): string {
    let a = this.v4.get(cid);
    if (!a) {
      a = addToIpv4(this.firstV4, this.v4.size);
      this.v4.set(cid, a);
    }
    return a;
  }

  ipv6For(cid: number): string {
    let a = this.v6.get(cid);
    if (!a) {
      a = `${this.v6Prefix}:0:0:0:${(this.v6.size + 1).toString(16)}`;
      this.v6.set(cid, a);
    }
    return a;
  }
}

function addToIpv4(base: string, n: number): string {
  const value = base.split('.').reduce((acc, part) => acc * 256 + Number(part), 0) + n;
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}
