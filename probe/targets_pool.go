package probe

import (
	"context"
	"sync"
	"time"

	"github.com/mtlsdoctor/mtlsdoctor/report"
)

// probeGrace is the time a probe may take beyond its Timeout plus
// Deadline before runPool's context ends it: the probe's own limits end it
// first, and the grace covers building the report.
const probeGrace = time.Second

// probeBound returns the longest time Run may take with opts: Timeout for
// DNS, connect and handshake, Deadline for the response, Timeout for each
// lookup that AIA and OCSP add, and probeGrace.
func probeBound(opts Options) time.Duration {
	opts = opts.withDefaults()
	bound := opts.Timeout + opts.Deadline + probeGrace
	if opts.AIA {
		bound += opts.Timeout
	}
	if opts.OCSP {
		bound += opts.Timeout
	}
	return bound
}

// runPool calls probe(ctx, i) for i in [0, n) with at most limit calls at a
// time, and returns the reports by index. It calls done, when not nil, in
// index order: done(i) runs as soon as reports 0 to i are all in, so a
// caller can stream the reports in a stable order. Calls to done do not
// overlap.
func runPool(ctx context.Context, n, limit int, probe func(ctx context.Context, i int) *report.Report, done func(i int, rep *report.Report)) []*report.Report {
	reports := make([]*report.Report, n)
	if n == 0 {
		return reports
	}
	limit = max(1, min(limit, n))

	var (
		mu   sync.Mutex
		next int // the first index not yet passed to done
	)
	finished := func(i int, rep *report.Report) {
		mu.Lock()
		defer mu.Unlock()
		reports[i] = rep
		for next < n && reports[next] != nil {
			if done != nil {
				done(next, reports[next])
			}
			next++
		}
	}

	indexes := make(chan int)
	var wg sync.WaitGroup
	for range limit {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range indexes {
				finished(i, probe(ctx, i))
			}
		}()
	}
	for i := range n {
		indexes <- i
	}
	close(indexes)
	wg.Wait()
	return reports
}

// runBounded runs Run with opts under a context that ends after
// probeBound(opts), so one unresponsive target cannot hold a pool worker
// longer than its own limits allow.
func runBounded(ctx context.Context, opts Options) *report.Report {
	ctx, cancel := context.WithTimeout(ctx, probeBound(opts))
	defer cancel()
	return Run(ctx, opts)
}
