package main

import (
	"os"
	"runtime"
	"testing"
)

func TestSetProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(3)

	t.Setenv("GOMAXPROCS", "") // restores the environment afterwards
	os.Unsetenv("GOMAXPROCS")
	if w := setProcs(); w != 3 || runtime.GOMAXPROCS(0) != 3+extraProcs {
		t.Errorf("setProcs() = %d with GOMAXPROCS now %d; want 3 workers and %d", w, runtime.GOMAXPROCS(0), 3+extraProcs)
	}

	runtime.GOMAXPROCS(3)
	os.Setenv("GOMAXPROCS", "3")
	if w := setProcs(); w != 3 || runtime.GOMAXPROCS(0) != 3 {
		t.Errorf("with $GOMAXPROCS set: setProcs() = %d with GOMAXPROCS now %d; want both 3", w, runtime.GOMAXPROCS(0))
	}
}
