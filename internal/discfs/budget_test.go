package discfs

import (
	"errors"
	"sync"
	"testing"
)

func TestBudget(t *testing.T) {
	var unlimited Budget
	if err := unlimited.Take(1 << 40); err != nil {
		t.Errorf("the zero Budget refused: %v", err)
	}

	b := Budget{Limit: 10}
	if err := b.Take(7); err != nil {
		t.Fatal(err)
	}
	if err := b.Take(4); !errors.Is(err, ErrTooManyEntries) {
		t.Errorf("7 + 4 of 10: %v, want ErrTooManyEntries", err)
	}
	if err := b.Take(3); err != nil {
		t.Errorf("7 + 3 of 10 after a refusal: %v (a refusal must count nothing)", err)
	}
	b.Give(5)
	if err := b.Take(5); err != nil {
		t.Errorf("after giving 5 back: %v", err)
	}

	// Concurrent takers never get more than the limit between them.
	c := Budget{Limit: 1000}
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 8 {
		wg.Go(func() {
			for range 500 {
				if c.Take(1) == nil {
					mu.Lock()
					granted++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if granted != 1000 {
		t.Errorf("8 takers of 500 under a limit of 1000 got %d", granted)
	}
}
