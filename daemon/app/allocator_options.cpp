// jemalloc's options for xiaoerd, read by the allocator before main() (its
// documented `malloc_conf` symbol; MALLOC_CONF in the environment still
// overrides them, e.g. MALLOC_CONF=thp:default). Ignored under the
// sanitizers' allocators.
//
// thp:always: jemalloc asks for transparent huge pages for its arenas (the
// kernel must allow them: "madvise" or "always" in
// /sys/kernel/mm/transparent_hugepage/enabled, Debian's default being
// "madvise"). A burst of new chats then faults its memory in 2 MiB at a
// time instead of 4 KiB, which on a VM where every page fault exits to the
// hypervisor was most of the first second's backlog at 10,000 msg/s
// (docs/benchmarks.md: the step k p99 fell from 13–596 ms to 5–65 ms),
// for about 7 % more resident memory (step d: 167 → 179 MiB).
extern "C" {
extern const char* malloc_conf;
const char* malloc_conf = "thp:always,metadata_thp:always";
}
