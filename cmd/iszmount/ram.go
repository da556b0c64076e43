package main

import "golang.org/x/sys/unix"

// physicalRAM is the machine's memory in bytes, or 0 when unknown. A
// cache= above it can never be honoured: it is a typo (999T for 999M).
func physicalRAM() int64 {
	var si unix.Sysinfo_t
	if unix.Sysinfo(&si) != nil {
		return 0
	}
	return int64(si.Totalram) * int64(si.Unit)
}
