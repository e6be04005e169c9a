/**
 * Received TCP bytes waiting for the host to read them: chunks as they arrived, taken
 * from the front without copying unless a read cuts a chunk.
 */
export class RxQueue {
  private chunks: Buffer[] = [];
  private count = 0;

  get bytes(): number {
    return this.count;
  }

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.count += chunk.length;
  }

  /** Takes up to `max` bytes from the front. */
  take(max: number): Buffer {
    const parts: Buffer[] = [];
    let need = max;
    while (need > 0 && this.chunks.length > 0) {
      const head = this.chunks[0]!;
      if (head.length <= need) {
        parts.push(head);
        this.chunks.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.chunks[0] = head.subarray(need);
        need = 0;
      }
    }
    const data = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    this.count -= data.length;
    return data;
  }

  /** Everything queued, emptying the queue (a sink takes over). */
  drain(): Buffer[] {
    const all = this.chunks;
    this.chunks = [];
    this.count = 0;
    return all;
  }
}
