/**
 * A search tree node. Edge statistics live in flat typed arrays on the parent, one slot per legal action
 * (as minigo's child_N / child_W / prior arrays, but compacted to the legal actions so a 19×19 node with
 * few legal moves stays small); there is no object per edge. A child node object exists only once a
 * descent has gone through its edge.
 *
 * Values are in [-1, 1]. Edge sums `childValueSum` are from the view of the player to move at this node
 * (the one choosing the edge); `valueSum` is from the view of the player to move at this node too, so a
 * child's `valueSum` is the negation of its parent's edge sum (plus nothing else).
 */
export const NodeState = {
  /** Created by a descent; legal actions not known yet. */
  Fresh: 0,
  /** Legal actions known, waiting for the evaluator. */
  Pending: 1,
  /** Priors set: descents may go through it. */
  Expanded: 2,
  /** Game over here (two passes): valued exactly, never expanded. */
  Terminal: 3,
} as const;
export type NodeState = (typeof NodeState)[keyof typeof NodeState];

export class SearchNode {
  state: NodeState = NodeState.Fresh as NodeState;
  /** Completed visits through this node (its own evaluation included). */
  visits = 0;
  /** Sum of backed-up values, from the view of the player to move here. */
  valueSum = 0;
  /** Descents under way through this node's edges (sum of childInFlight). */
  inFlight = 0;
  /** Exact value of a terminal node, or the net's value of an expanded one, player to move's view. */
  value = 0;

  /** Legal actions (points 0..area-1, pass = area), in increasing order. Empty until the node is expanded. */
  actions: Int32Array = EMPTY_I32;
  /** Priors over `actions`, summing to 1 (noise mixed in at a self-play root). */
  prior: Float32Array = EMPTY_F32;
  childVisits: Int32Array = EMPTY_I32;
  childInFlight: Int32Array = EMPTY_I32;
  /** Σ values and Σ values² through each edge (for Q and the LCB's variance), this node's player's view. */
  childValueSum: Float64Array = EMPTY_F64;
  childValueSquares: Float64Array = EMPTY_F64;
  children: (SearchNode | undefined)[] = [];

  constructor(
    public parent: SearchNode | null,
    /** Index of this node's edge in the parent's arrays. */
    public slot: number,
  ) {}

  /**
   * Allocates the child arrays for these legal actions (copied). The six arrays are views into a shared
   * slab: no backing store per node keeps allocation and garbage collection off the search's profile.
   */
  setActions(actions: Int32Array, count: number): void {
    const bytes = count * BYTES_PER_EDGE;
    if (slabUsed + bytes > slab.byteLength) {
      slab = new ArrayBuffer(Math.max(SLAB_BYTES, bytes));
      slabUsed = 0;
    }
    const buffer = slab;
    const o = slabUsed;
    slabUsed += bytes;
    this.childValueSum = new Float64Array(buffer, o, count);
    this.childValueSquares = new Float64Array(buffer, o + 8 * count, count);
    this.actions = new Int32Array(buffer, o + 16 * count, count);
    this.childVisits = new Int32Array(buffer, o + 20 * count, count);
    this.childInFlight = new Int32Array(buffer, o + 24 * count, count);
    this.prior = new Float32Array(buffer, o + 28 * count, count);
    this.actions.set(actions.subarray(0, count));
    this.children = new Array<SearchNode | undefined>(count);
    this.state = NodeState.Pending;
  }

  /** Slot of `action` in this node's arrays, or -1. */
  slotOf(action: number): number {
    const a = this.actions;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = a[mid]!;
      if (v === action) return mid;
      if (v < action) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Mean value from the view of the player to move here (0 before any visit). */
  get q(): number {
    return this.visits > 0 ? this.valueSum / this.visits : 0;
  }
}

/** Σv and Σv² (8 bytes each), action, visits, in-flight (4 each) and prior (4). */
const BYTES_PER_EDGE = 32;
/**
 * Node arrays are carved from 256 KiB slabs (fresh memory is zeroed, as the counters need). A slab is
 * freed when no node using it is left; a reused subtree keeps at most the slabs its nodes live in.
 */
const SLAB_BYTES = 1 << 18;
let slab = new ArrayBuffer(SLAB_BYTES);
let slabUsed = 0;
const EMPTY_I32 = new Int32Array(0);
const EMPTY_F32 = new Float32Array(0);
const EMPTY_F64 = new Float64Array(0);
