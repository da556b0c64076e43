package isz

// Default cache size: 1/32 of physical memory, at least 16 MiB and at most
// 256 MiB. A 4 GiB machine gets 128 MiB, anything from 8 GiB up 256 MiB:
// enough for several streams' prefetch windows of bzip2 chunks plus a
// file manager's working set, small enough that a handful of mounted images
// cost little. Options.CacheSize overrides it.
const (
	minDefaultCache = 16 << 20
	maxDefaultCache = 256 << 20
)

// DefaultCacheSize is the decoded-chunk cache budget used when
// Options.CacheSize is 0: 1/32 of physical memory, clamped to
// [16 MiB, 256 MiB] (256 MiB when the memory size is unknown).
func DefaultCacheSize() int64 {
	return defaultCacheFor(physicalMemory())
}

// defaultCacheFor is the default budget for a machine with mem bytes of
// memory (0: unknown).
func defaultCacheFor(mem uint64) int64 {
	if mem == 0 {
		return maxDefaultCache
	}
	return int64(min(max(mem/32, minDefaultCache), maxDefaultCache))
}
