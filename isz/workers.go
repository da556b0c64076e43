package isz

// The decode worker pool.
//
// Workers goroutines (started on first use, stopped by Close) decode queued
// entries: first the chunks a ReadAt needs right now beyond the one its
// own goroutine decodes (so one large read decodes in parallel), then
// prefetch. A reader that reaches a chunk still waiting in the queue claims
// and decodes it itself instead of waiting behind other jobs, unless
// Workers decodes run already (see chunkReader.mayDecode). With
// Workers == 1 there is no pool and no prefetch: each reader decodes what
// it needs. A worker never waits for a buffer: when the budget has none to
// give (see chunkCache.takeBuf), it leaves a reader's chunk to that reader
// and gives up a prefetch.

// jobQueue is a FIFO of entries waiting for a worker.
type jobQueue struct {
	q    []*cacheEntry
	head int
}

func (j *jobQueue) push(e *cacheEntry) { j.q = append(j.q, e) }

func (j *jobQueue) pop() *cacheEntry {
	if j.head == len(j.q) {
		return nil
	}
	e := j.q[j.head]
	j.q[j.head] = nil
	j.head++
	if j.head == len(j.q) {
		j.q, j.head = j.q[:0], 0
	} else if j.head > len(j.q)/2 {
		n := copy(j.q, j.q[j.head:])
		clear(j.q[n:])
		j.q, j.head = j.q[:n], 0
	}
	return e
}

func (j *jobQueue) clear() { *j = jobQueue{} }

// submit queues e for a worker, starting one if fewer than Workers run.
func (r *chunkReader) submit(q *jobQueue, e *cacheEntry) {
	q.push(e)
	if r.started < r.workers {
		r.started++
		r.wg.Add(1)
		go r.worker()
	}
	r.work.Signal()
}

// worker decodes queued entries until Close.
func (r *chunkReader) worker() {
	defer r.wg.Done()
	r.mu.Lock()
	defer r.mu.Unlock()
	for {
		e := r.nextJob()
		for e == nil && !r.closed {
			r.work.Wait()
			e = r.nextJob()
		}
		if r.closed {
			return
		}
		if !r.cache.claim(e, e.ahead != nil) {
			// No buffer within the budget: a reader's chunk is left to
			// its reader (woken to take it), a prefetch is given up.
			r.cache.release(e, false)
			if r.waiting > 0 {
				r.room.Broadcast()
			}
			continue
		}
		r.decoding++
		r.mu.Unlock()
		err := r.cfg.Decode(e.chunk, e.buf)
		r.mu.Lock()
		r.cache.finish(e, err)
		r.decoded()
	}
}

// nextJob pops the next entry still waiting, readers' needs first.
func (r *chunkReader) nextJob() *cacheEntry {
	for _, q := range []*jobQueue{&r.urgentJobs, &r.aheadJobs} {
		for e := q.pop(); e != nil; e = q.pop() {
			if e.state == stateQueued && e.cached {
				return e
			}
		}
	}
	return nil
}
