package main

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// printSummary writes a short human reading of the report to stdout.
func printSummary(w io.Writer, r *Report, reportPath string) {
	verdict := "PASSED"
	if !r.Passed {
		verdict = "FAILED"
	}
	fmt.Fprintf(w, "djload %s mode: %s in %.1fs against %s (%s)\n", r.Mode, verdict, r.DurationS, r.Target.URL, r.Target.Version)
	for _, v := range r.Violations {
		fmt.Fprintf(w, "  limit broken: %s\n", v)
	}
	if len(r.Operations) > 0 {
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "operation\tcount\terrors\tp50 ms\tp99 ms\tmax ms\t")
		names := make([]string, 0, len(r.Operations))
		for n := range r.Operations {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, n := range names {
			op := r.Operations[n]
			if op.Unavailable != nil {
				fmt.Fprintf(tw, "%s\tunavailable\t\t\t\t\t\n", n)
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%d\t%.2f\t%.2f\t%.2f\t\n", n, op.Count, op.Errors, op.Latency.P50, op.Latency.P99, op.Latency.Max)
		}
		_ = tw.Flush()
		for _, n := range names {
			for _, s := range r.Operations[n].Samples {
				fmt.Fprintf(w, "  %s error ×%d: %s\n", n, s.Count, describeSample(s))
			}
		}
	}
	fmt.Fprintf(w, "requests %d, errors %d (%.2f%%), 5xx %d, %.1f req/s\n", r.Requests.Total, r.Requests.Errors, 100*r.Requests.ErrorRate, r.Requests.Status5xx, r.Requests.RPS)
	if u := r.Upstream; u != nil {
		fmt.Fprintf(w, "upstream: max %d requests in any 1 s window (limit %d), %d requests, mean %.1f/s, under backlog %.1f/s for %.0fs (%.1f%% of the limit)\n",
			u.MaxRequestsInAny1sWindow, u.Limit, u.TotalRequests, u.MeanRPS, u.MeanRPSUnderBacklog, u.BacklogSeconds, 100*u.MeanUseUnderBacklog)
	}
	s := r.Server
	fmt.Fprintf(w, "server RSS: start %s, peak %s, end %s", fmtBytes(s.RSSStartBytes), fmtBytes(s.RSSPeakBytes), fmtBytes(s.RSSEndBytes))
	if s.RSSPerStream != nil {
		fmt.Fprintf(w, ", %.0f bytes per stream over %d streams", *s.RSSPerStream, s.StreamsOpenPeak)
	}
	fmt.Fprintln(w)
	for _, n := range r.Notes {
		fmt.Fprintf(w, "note: %s\n", n)
	}
	if reportPath != "" {
		fmt.Fprintf(w, "report: %s\n", reportPath)
	}
}

func describeSample(s errorSample) string {
	var parts []string
	if s.Status != 0 {
		parts = append(parts, fmt.Sprintf("status %d", s.Status))
	} else {
		parts = append(parts, s.Kind)
	}
	if s.Title != "" {
		parts = append(parts, s.Title)
	}
	if s.Detail != "" {
		parts = append(parts, s.Detail)
	}
	if s.Error != "" {
		parts = append(parts, s.Error)
	}
	if s.RequestID != "" {
		parts = append(parts, "request "+s.RequestID)
	}
	return strings.Join(parts, ": ")
}
