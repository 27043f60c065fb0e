/**
 * The last few position keys pushed (Board.positionKey; randomPlayout pushes those reached by ko captures),
 * in a fixed ring: a bounded positional-superko check for random playouts. With simple ko alone, late random positions often hold two or three kos
 * whose captures are the only moves left, and the playout cycles until its move cap; refusing a capture
 * that recreates one of the last `capacity` positions breaks such cycles, at the cost of a compare per
 * slot for capturing moves only. Allocated once, reused across playouts.
 */
export class RecentPositions {
  private readonly keys: Float64Array;
  private next = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) {
      throw new RangeError(`recent positions: capacity must be a positive integer, got ${capacity}`);
    }
    // NaN never equals a key, so empty slots match nothing.
    this.keys = new Float64Array(capacity).fill(NaN);
  }

  clear(): void {
    this.keys.fill(NaN);
    this.next = 0;
  }

  push(key: number): void {
    this.keys[this.next] = key;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
  }

  has(key: number): boolean {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return true;
    return false;
  }
}
