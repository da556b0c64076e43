package main

import (
	"os"
	"runtime"
)

// extraProcs is how many more Ps (GOMAXPROCS) the daemon runs than it has
// CPUs. go-fuse serves the kernel from goroutines that block in read(2) on
// /dev/fuse, and a goroutine in a system call keeps its P until the
// runtime's monitor takes it back; on a machine with few cores the decoder
// goroutines then wait for a P while a core sits idle. Measured on the
// bench's 1.1 GiB zlib image, cold raw read on 2 cores, 3 rounds each:
// GOMAXPROCS 2 took 1.72-2.02 s with the CPUs idle 28% of the time, 4 (with
// 2 decode workers) 1.51-1.54 s and 8% idle; 6 gained nothing more.
const extraProcs = 2

// setProcs raises GOMAXPROCS by extraProcs, unless the user set GOMAXPROCS,
// and returns how many decode workers to run: one per CPU the process may
// use (the runtime's own default GOMAXPROCS).
func setProcs() (workers int) {
	workers = runtime.GOMAXPROCS(0)
	if _, set := os.LookupEnv("GOMAXPROCS"); !set {
		runtime.GOMAXPROCS(workers + extraProcs)
	}
	return workers
}
