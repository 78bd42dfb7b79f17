/**
 * The run's trace: a bounded ring of the most recent events (what a failure report prints),
 * optionally echoed as they happen (the verbose single-seed mode).
 */
export class Trace {
  private readonly ring: string[];
  private next = 0;
  private total = 0;

  constructor(
    readonly capacity: number,
    private readonly echo?: (line: string) => void,
  ) {
    if (capacity <= 0) throw new RangeError("trace capacity must be positive");
    this.ring = new Array<string>(capacity);
  }

  add(step: number, text: string): void {
    const line = `${String(step).padStart(6)} ${text}`;
    this.ring[this.next] = line;
    this.next = (this.next + 1) % this.capacity;
    this.total++;
    this.echo?.(line);
  }

  /** The last n events, oldest first. */
  tail(n: number): string[] {
    const k = Math.min(n, this.total, this.capacity);
    const out: string[] = [];
    for (let i = k; i > 0; i--) out.push(this.ring[(this.next - i + this.capacity) % this.capacity]!);
    return out;
  }

  get count(): number {
    return this.total;
  }
}
