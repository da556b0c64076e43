package main

import (
	"context"
	"log/slog"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"time"

	"github.com/iszmount/iszmount/isz"
)

// The daemon's memory: one budget for the chunk cache and the tree.
//
// cache=SIZE is a budget for the whole daemon, not only for decoded chunks.
// The other things that grow are the readers' cache of parsed listings (16
// MiB at most, see disc.Options.DirCache) and the inode table, about 30
// bytes for every entry the kernel holds (fs/inodes.go): 30 MiB for a
// million, and the kernel may keep them all. So a governor reads the live
// heap after each garbage collection and gives the chunk cache what the
// rest leaves of the budget (never less than minCache, or cache= itself if
// that is smaller), and a memory limit keeps the collector's headroom to
// memHeadroom instead of Go's default of letting the heap double. Peak RSS
// then stays near budget + memHeadroom plus the program itself, whatever
// the image size, until the tree alone outgrows the budget; then the cache
// stays at minCache and the limit rises with the tree, so that the
// collector never runs without end.
const (
	minCache    = 16 << 20
	memHeadroom = 48 << 20
	memQuantum  = 4 << 20  // plans move in steps of this, not on every allocation
	growStep    = 16 << 20 // the cache grows back only by this much or more at once
	governEvery = 250 * time.Millisecond
)

// memPlan is what the governor sets: the cache budget and the memory limit.
type memPlan struct {
	cache, limit int64
}

// planMemory splits budget between the chunk cache and everything else,
// given the live heap after the last collection, the bytes the cache's
// buffers took then (approximated by now) and the cache budget in force.
// The cache shrinks at once but grows back only in steps of growStep:
// the live heap wobbles (go-fuse's buffer pools count while the collector
// marks), and a budget that follows every wobble would let buffers go and
// allocate them again.
func planMemory(budget, live, cacheMem, cur int64) memPlan {
	other := (max(live-cacheMem, 0) + memQuantum - 1) / memQuantum * memQuantum
	floor := min(minCache, budget) // a cache= below minCache is the user's to choose
	cache := max(budget-other, floor)
	if cache > cur && cache < cur+growStep && cache < budget {
		cache = cur
	}
	return memPlan{
		cache: cache,
		limit: max(budget, other+floor) + memHeadroom,
	}
}

// governMemory applies planMemory to r every governEvery until ctx ends. It
// leaves the memory limit alone when the user set GOMEMLIMIT.
func governMemory(ctx context.Context, r *isz.Reader, budget int64, log *slog.Logger) {
	_, userLimit := os.LookupEnv("GOMEMLIMIT")
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	t := time.NewTicker(governEvery)
	defer t.Stop()
	last := memPlan{cache: budget}
	for {
		metrics.Read(sample)
		var live int64
		if sample[0].Value.Kind() == metrics.KindUint64 {
			live = int64(sample[0].Value.Uint64())
		}
		p := planMemory(budget, live, r.CacheMemory(), last.cache)
		if p.cache != last.cache {
			r.SetCacheSize(p.cache)
		}
		if p.limit != last.limit && !userLimit {
			debug.SetMemoryLimit(p.limit)
		}
		if p != last {
			log.Debug("memory plan", "live_heap", live, "cache_budget", p.cache, "memory_limit", p.limit)
		}
		last = p
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
