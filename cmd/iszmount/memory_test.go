package main

import "testing"

func TestPlanMemory(t *testing.T) {
	const M = 1 << 20
	tests := []struct {
		name                        string
		budget, live, cacheMem, cur int64
		want                        memPlan
	}{
		{"nothing but the cache", 256 * M, 200 * M, 200 * M, 256 * M, memPlan{256 * M, 304 * M}},
		{"the tree takes its share", 256 * M, 260 * M, 200 * M, 256 * M, memPlan{196 * M, 304 * M}},
		{"other rounds up to the quantum", 256 * M, 201 * M, 200 * M, 256 * M, memPlan{252 * M, 304 * M}},
		{"a tree larger than the budget keeps minCache and raises the limit", 256 * M, 320 * M, 16 * M, 16 * M, memPlan{16 * M, 368 * M}},
		{"a small wobble down does not grow the cache", 256 * M, 150 * M, 100 * M, 200 * M, memPlan{200 * M, 304 * M}},
		{"a wobble of growStep does", 256 * M, 100 * M, 60 * M, 196 * M, memPlan{216 * M, 304 * M}},
		{"back to the whole budget at once", 256 * M, 100 * M, 100 * M, 250 * M, memPlan{256 * M, 304 * M}},
		{"shrinks at once by any amount", 256 * M, 204 * M, 196 * M, 252 * M, memPlan{248 * M, 304 * M}},
		{"a cache over its budget counts as cache", 64 * M, 90 * M, 100 * M, 64 * M, memPlan{64 * M, 112 * M}},
		{"cache= below minCache is never raised", 4 * M, 40 * M, 4 * M, 4 * M, memPlan{4 * M, 40*M + 48*M}},
	}
	for _, tt := range tests {
		if got := planMemory(tt.budget, tt.live, tt.cacheMem, tt.cur); got != tt.want {
			t.Errorf("%s: planMemory(%d, %d, %d, %d) = {%d, %d} MiB, want {%d, %d} MiB", tt.name,
				tt.budget/M, tt.live/M, tt.cacheMem/M, tt.cur/M, got.cache/M, got.limit/M, tt.want.cache/M, tt.want.limit/M)
		}
	}
}
