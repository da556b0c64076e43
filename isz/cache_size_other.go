//go:build !linux

package isz

// physicalMemory is unknown outside Linux: the default is the cap.
func physicalMemory() uint64 { return 0 }
