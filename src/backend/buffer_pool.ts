/**
 * Recycled tensor memory. Tensors belong to the garbage collector, which frees a buffer only long
 * after its last use: every new output then lands in memory the cache no longer holds, and writing
 * it costs a trip to main memory (an MLP step's 1.6 MB weight gradient took 2.5x the time of the
 * same product into a reused buffer). Code that knows a tensor is dead and unreachable (the
 * built-in training step, for the gradients it has applied) hands its buffer back here, and the
 * next output of the same size reuses it while it is still in cache. Only whole buffers that
 * belong to one tensor are taken; nothing a user can reach is ever recycled.
 */

/** Buffers smaller than this are left to the allocator (their cost is the call, not the memory). */
const MIN_BYTES = 64 * 1024;
/** At most this many bytes wait in the pool; beyond, buffers are left to the garbage collector. */
const MAX_POOLED_BYTES = 64 * 1024 * 1024;

/** Waiting buffers by size (the last one recycled on top), and all of them oldest first. */
const free = new Map<number, ArrayBuffer[]>();
const order: ArrayBuffer[] = [];
let pooled = 0;
let enabled = true;

/** Turns recycling off (and empties the pool) or back on: for A/B benchmarks. */
export function setRecycling(on: boolean): void {
  enabled = on;
  if (!on) {
    free.clear();
    order.length = 0;
    pooled = 0;
  }
}

/** Whether memory is recycled (the optimizer also writes new values over owned gradients only then). */
export function recyclingEnabled(): boolean {
  return enabled;
}

function evictOldest(): void {
  const b = order.shift() as ArrayBuffer;
  const list = free.get(b.byteLength) as ArrayBuffer[];
  list.splice(list.indexOf(b), 1);
  pooled -= b.byteLength;
}

/** A recycled buffer of exactly `bytes` bytes (contents arbitrary), or null. */
export function takeBuffer(bytes: number): ArrayBuffer | null {
  if (bytes < MIN_BYTES) return null;
  const b = free.get(bytes)?.pop();
  if (!b) return null;
  order.splice(order.lastIndexOf(b), 1);
  pooled -= bytes;
  return b;
}

/**
 * Hands back the buffers behind `arrays`, which the caller guarantees no live tensor or user value
 * uses any more. Views into part of a buffer are skipped, and a buffer listed twice is taken once.
 */
export function recycleBuffers(arrays: readonly ArrayBufferView[]): void {
  if (!enabled) return;
  const seen = new Set<ArrayBufferLike>();
  for (const a of arrays) {
    const b = a.buffer;
    if (seen.has(b)) continue;
    seen.add(b);
    if (!(b instanceof ArrayBuffer) || a.byteOffset !== 0 || a.byteLength !== b.byteLength) continue;
    if (b.byteLength < MIN_BYTES || b.byteLength > MAX_POOLED_BYTES) continue;
    // Over the cap, the buffers waiting longest go to the garbage collector (another model's
    // sizes, say, must not keep this one's out).
    while (pooled + b.byteLength > MAX_POOLED_BYTES) evictOldest();
    let list = free.get(b.byteLength);
    if (!list) free.set(b.byteLength, (list = []));
    list.push(b);
    order.push(b);
    pooled += b.byteLength;
  }
}

let log: ArrayBufferView[] | null = null;
let observer: ((a: ArrayBufferView, zeroed: boolean) => void) | null = null;

/** @internal Called by Tensor for every buffer it allocates (zeroed or not) for a kernel's output. */
export function logAllocation(a: ArrayBufferView, zeroed: boolean): void {
  if (log !== null && a.byteLength >= MIN_BYTES) log.push(a);
  if (observer !== null) observer(a, zeroed);
}

/** @internal Sees every output buffer Tensor allocates while set (a kernel trace being captured). */
export function setAllocationObserver(fn: ((a: ArrayBufferView, zeroed: boolean) => void) | null): void {
  observer = fn;
}

/**
 * Runs `fn` and returns its result together with the large buffers allocated meanwhile: the caller
 * may recycle those it can prove unreachable (the backward pass's intermediate gradients).
 */
export function withAllocationLog<R>(fn: () => R): [R, ArrayBufferView[]] {
  const outer = log;
  const mine: ArrayBufferView[] = [];
  log = enabled ? mine : null;
  try {
    return [fn(), mine];
  } finally {
    if (outer !== null) outer.push(...mine);
    log = outer;
  }
}

/** Bytes waiting in the pool (for tests and benchmarks). */
export function pooledBytes(): number {
  return pooled;
}
