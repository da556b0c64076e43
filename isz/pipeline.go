package isz

import (
	"context"

	"golang.org/x/sync/errgroup"
)

// ordered runs items 0..n-1 through a three-stage pipeline, the shape of
// both the writer (read, compress, lay out) and Verify (read, decode,
// checksum): next prepares item i in a slot, one item after the other on
// one goroutine; work processes it, on workers goroutines at once; emit
// consumes the items in order. Each slot holds one item in flight and is
// reused, so the slots are all the memory the pipeline takes.
//
// work's error is kept with its item and returned when emit's turn comes
// to it, so the error returned is the one of the first failing item in
// order whatever the timing. The first error from next or emit (or ctx's)
// stops the pipeline.
func ordered[S any](ctx context.Context, n, workers int, slots []S,
	next, work, emit func(i int, s S) error) error {
	type item struct {
		i    int
		s    S
		err  error
		done chan struct{}
	}
	g, ctx := errgroup.WithContext(ctx)
	free := make(chan *item, len(slots))
	for _, s := range slots {
		free <- &item{s: s, done: make(chan struct{}, 1)}
	}
	// Only len(slots) items exist, so sends on order and todo never block.
	order, todo := make(chan *item, len(slots)), make(chan *item, len(slots))
	g.Go(func() error {
		defer close(order)
		defer close(todo)
		for i := range n {
			var it *item
			select {
			case it = <-free:
			case <-ctx.Done():
				return ctx.Err()
			}
			it.i = i
			if err := next(i, it.s); err != nil {
				return err
			}
			order <- it
			todo <- it
		}
		return nil
	})
	for range workers {
		g.Go(func() error {
			for it := range todo {
				if ctx.Err() == nil {
					it.err = work(it.i, it.s)
				}
				it.done <- struct{}{}
			}
			return nil
		})
	}
	g.Go(func() error {
		for it := range order {
			select {
			case <-it.done:
			case <-ctx.Done():
			}
			if err := ctx.Err(); err != nil {
				return err // work may have skipped it
			}
			if it.err != nil {
				return it.err
			}
			if err := emit(it.i, it.s); err != nil {
				return err
			}
			free <- it
		}
		return nil
	})
	return g.Wait()
}
