/**
 * The C allocator's totals for the whole process (glibc mallinfo2 over every thread's
 * arena): the part of the RSS outside the V8 heaps that is memory in use, and the free
 * memory the arenas keep (fragmentation). Read from the native addon; absent without it.
 */
export interface MallocStats {
  /** non-mmapped arena space */
  arenaBytes: number;
  /** allocated, large mmapped blocks included */
  inUseBytes: number;
  /** free chunks the arenas hold */
  freeBytes: number;
  mmappedBytes: number;
}

export type MallocStatsReader = () => MallocStats | undefined;
