//go:build unix

package isz

// Benchmarks of the read path: decode throughput per codec with one worker
// against all of them, and the chunk cache under sequential and
// thumbnail-like access. Images are written once per process by the
// package's writer from benchData (deterministic, text-like, compressible
// about 2.5x by zlib: neither zeros nor noise). Run:
//
//	go test -run '^$' -bench . -benchtime 3x ./isz
//
// Ratios come from the same iteration (the two worker counts alternate),
// so a busy machine slows both sides alike. A busy machine still caps the
// speedup (other processes take the second core), so BenchmarkDecode also
// reports what the machine allowed in that same iteration: ceiling, the
// speedup of decoding every chunk straight on all cores with no cache, and
// cpu-ratio, the CPU time of the parallel run over the serial one (near 1:
// prefetch wastes no work). speedup close to ceiling means the cache and
// prefetch get all the parallelism there is.

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the user+system CPU time the process has used.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

const (
	benchRead   = 128 << 10 // bytes per ReadAt, as the kernel's FUSE readahead sends them
	extractRead = 4 << 20   // bytes per ReadAt of isz extract
)

// benchData is size bytes of words, numbers and line breaks drawn from a
// fixed vocabulary by a seeded generator.
func benchData(size int) []byte {
	rng := rand.New(rand.NewPCG(42, 1))
	words := make([][]byte, 600)
	for k := range words {
		w := make([]byte, 2+rng.IntN(9))
		for j := range w {
			w[j] = 'a' + byte(rng.IntN(26))
		}
		words[k] = w
	}
	b := make([]byte, 0, size+32)
	for len(b) < size {
		switch rng.IntN(10) {
		case 0:
			b = strconv.AppendUint(b, rng.Uint64()%1_000_000_007, 10)
		case 1:
			b = append(b, '\n')
		default:
			b = append(b, words[rng.IntN(len(words))]...)
		}
		b = append(b, ' ')
	}
	return b[:size]
}

// benchImages caches the images written for benchmarks, by codec.
var benchImages sync.Map // Codec -> *benchImage

type benchImage struct {
	once sync.Once
	data []byte // the .isz file
	size int64  // decompressed size
}

// benchImageFor returns the image of codec: 64 MiB of benchData (16 MiB
// for bzip2, which decodes ten times slower) in 128 KiB chunks.
func benchImageFor(b *testing.B, codec Codec) *benchImage {
	v, _ := benchImages.LoadOrStore(codec, &benchImage{})
	img := v.(*benchImage)
	img.once.Do(func() {
		size := 64 << 20
		if codec == CodecBzip2 {
			size = 16 << 20
		}
		var f memFile
		if _, err := Write(&f, bytes.NewReader(benchData(size)), int64(size), &WriterOptions{Codec: codec, VSN: 1}); err != nil {
			b.Fatalf("writing the %v benchmark image: %v", codec, err)
		}
		img.data, img.size = f.b, int64(size)
	})
	if img.data == nil {
		b.Fatal("no benchmark image")
	}
	return img
}

func (img *benchImage) open(b *testing.B, opts *Options) *Reader {
	r, err := NewReader(bytes.NewReader(img.data), int64(len(img.data)), opts)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// streamOnce reads [from, to) of r in pieces of size bytes, as cat through
// the mount or isz extract would, and returns how long it took.
func streamOnce(b *testing.B, r io.ReaderAt, from, to int64, size int) time.Duration {
	p := make([]byte, size)
	start := time.Now()
	for off := from; off < to; off += int64(size) {
		if _, err := r.ReadAt(p[:min(int64(size), to-off)], off); err != nil && err != io.EOF {
			b.Fatal(err)
		}
	}
	return time.Since(start)
}

// BenchmarkDecode streams each codec's image through Reader.ReadAt with a
// cold cache, once with Workers=1 (each read decodes its own chunks) and
// once with Workers=GOMAXPROCS (prefetch decodes ahead on all cores), and
// reports both speeds and their ratio; in 128 KiB reads as through the
// mount, and in 4 MiB reads as isz extract does.
func BenchmarkDecode(b *testing.B) {
	n := runtime.GOMAXPROCS(0)
	for _, bc := range []struct {
		codec Codec
		read  int
	}{{CodecZlib, benchRead}, {CodecZlib, extractRead}, {CodecBzip2, benchRead}, {CodecBzip2, extractRead}, {CodecStore, benchRead}} {
		codec := bc.codec
		b.Run(fmt.Sprintf("%v/read=%dKiB", codec, bc.read>>10), func(b *testing.B) {
			img := benchImageFor(b, codec)
			var one, all, raw, cpuOne, cpuAll time.Duration
			for b.Loop() {
				raw += rawParallelDecode(b, img, n)
				for _, w := range []int{1, n} {
					r := img.open(b, &Options{Workers: w})
					cpu := cpuTime(b)
					d := streamOnce(b, r, 0, img.size, bc.read)
					r.Close()
					cpu = cpuTime(b) - cpu
					if w == 1 {
						one, cpuOne = one+d, cpuOne+cpu
					} else {
						all, cpuAll = all+d, cpuAll+cpu
					}
				}
			}
			mb := float64(img.size) * float64(b.N) / 1e6
			b.ReportMetric(mb/one.Seconds(), "MB/s-1worker")
			b.ReportMetric(mb/all.Seconds(), fmt.Sprintf("MB/s-%dworkers", n))
			b.ReportMetric(one.Seconds()/all.Seconds(), "speedup")
			b.ReportMetric(cpuAll.Seconds()/cpuOne.Seconds(), "cpu-ratio")
			b.ReportMetric(one.Seconds()/raw.Seconds(), "ceiling")
		})
	}
}

// rawParallelDecode decodes every chunk of img once, on n goroutines taking
// every n-th chunk, with no cache, no prefetch and no ReadAt, and returns
// the time taken. One ReadAt worker's time over this is the ceiling: the
// speedup that n cores of this machine, as loaded as it is right now,
// give the codec itself.
func rawParallelDecode(b *testing.B, img *benchImage, n int) time.Duration {
	r := img.open(b, &Options{Workers: 1})
	defer r.Close()
	l := r.cr.layout
	start := time.Now()
	var wg sync.WaitGroup
	for k := range n {
		wg.Go(func() {
			buf := make([]byte, l.chunkSize)
			for i := k; i < l.numChunks; i += n {
				if err := r.decode(i, buf[:l.chunkLen(i)]); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return time.Since(start)
}

// BenchmarkCache measures the cache on the zlib image.
//
//   - sequential-hit: re-reading a fully cached image: the cost of the
//     cache itself (lookup, pin, copy) per byte.
//   - thumbnails: a file manager's pattern: the first 4 KiB of 300 "files"
//     one chunk apart, each read once per pass in shuffled order, with one
//     of 8 "directory" chunks re-read every 4 files, in a cache of 64
//     chunks. It reports the directory reads per pass that missed (the
//     scan of files must not push the directories out: near 0).
//   - thumbnails+stream: the same while another goroutine streams the
//     rest of the image; it also reports the stream's speed and how many
//     chunks it needed decoded more than once (prefetched chunks evicted
//     before use would show up here).
func BenchmarkCache(b *testing.B) {
	img := benchImageFor(b, CodecZlib)
	const chunk = DefaultBlockSize

	b.Run("sequential-hit", func(b *testing.B) {
		r := img.open(b, &Options{CacheSize: 2 * img.size})
		defer r.Close()
		streamOnce(b, r, 0, img.size, benchRead) // warm
		b.SetBytes(img.size)
		for b.Loop() {
			streamOnce(b, r, 0, img.size, benchRead)
		}
		if st := r.cr.stats(); st.decodes != int64(r.cr.layout.numChunks) {
			b.Fatalf("%d decodes for %d chunks: the cache did not hold the image", st.decodes, r.cr.layout.numChunks)
		}
	})

	// Thumbnails read chunks [0, 300) as files, [300, 308) as directories;
	// the stream reads from chunk 320 on.
	const files, dirs, streamFrom = 300, 8, 320
	thumbs := func(b *testing.B, stream bool) {
		r := img.open(b, &Options{CacheSize: 64 * chunk})
		defer r.Close()
		decodes := make([]atomic.Int32, r.cr.layout.numChunks)
		dec := r.cr.cfg.Decode
		r.cr.cfg.Decode = func(i int, dst []byte) error {
			decodes[i].Add(1)
			return dec(i, dst)
		}

		var streamed atomic.Int64
		var streamTime time.Duration
		stop := make(chan struct{})
		var wg sync.WaitGroup
		if stream {
			wg.Go(func() {
				p := make([]byte, benchRead)
				start := time.Now()
				defer func() { streamTime = time.Since(start) }()
				for off := int64(streamFrom * chunk); off < img.size; off += benchRead {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := r.ReadAt(p, off); err != nil && err != io.EOF {
						b.Error(err)
						return
					}
					streamed.Add(benchRead)
				}
			})
		}

		rng := rand.New(rand.NewPCG(9, 9))
		p := make([]byte, 4096)
		read := func(i int) {
			if _, err := r.ReadAt(p, int64(i)*chunk); err != nil {
				b.Fatal(err)
			}
		}
		pass := func() (dirMisses int) {
			for k, i := range rng.Perm(files) {
				read(i)
				if k%4 == 0 {
					d := files + k/4%dirs
					before := decodes[d].Load()
					read(d)
					if decodes[d].Load() != before {
						dirMisses++
					}
				}
			}
			return dirMisses
		}
		pass() // warm: every directory read a few times
		var dirMisses int
		for b.Loop() {
			dirMisses += pass()
		}
		close(stop)
		wg.Wait()
		b.ReportMetric(float64(dirMisses)/float64(b.N), "dir-misses/op")
		if stream {
			redecoded := 0
			for i := streamFrom; i < len(decodes); i++ {
				redecoded += max(0, int(decodes[i].Load())-1)
			}
			b.ReportMetric(float64(streamed.Load())/1e6/streamTime.Seconds(), "stream-MB/s")
			b.ReportMetric(float64(redecoded), "stream-redecodes")
		}
	}
	b.Run("thumbnails", func(b *testing.B) { thumbs(b, false) })
	b.Run("thumbnails+stream", func(b *testing.B) { thumbs(b, true) })
}

// BenchmarkPrefetchPipeline checks the prefetch machinery apart from the
// CPU: each chunk of a fake image takes 1 ms to "decode" (sleeping), so the
// speedup of 4 workers over 1 shows how well the pipeline keeps them busy
// whatever else the machine runs (ideal: 4).
func BenchmarkPrefetchPipeline(b *testing.B) {
	const chunk, chunks = 64 << 10, 400
	f := newFakeImage(b, chunk, chunks*chunk)
	f.delay = time.Millisecond
	var one, four time.Duration
	for b.Loop() {
		for _, w := range []int{1, 4} {
			cfg := f.config()
			cfg.Workers = w
			r := newChunkReader(cfg)
			d := streamOnce(b, r, 0, f.layout.size, benchRead)
			r.Close()
			if w == 1 {
				one += d
			} else {
				four += d
			}
		}
	}
	b.ReportMetric(one.Seconds()/four.Seconds(), "speedup")
}
