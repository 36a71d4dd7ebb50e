package actors

import (
	"context"

	"dj/mix"
)

// featureSource is the part of the Enricher the mix service uses (tempo,
// energy, tags and Last.fm similar tracks). It is an interface so the
// service still works, with neutral scores, where no Enricher is wired.
type featureSource interface {
	Features(ctx context.Context, t TrackRef) (mix.Features, error)
	Enrich(ctx context.Context, refs []TrackRef, each func(id string, f mix.Features)) error
}

// noFeatures knows nothing about any track.
type noFeatures struct{}

// Features returns empty features.
func (noFeatures) Features(_ context.Context, t TrackRef) (mix.Features, error) {
	return mix.Features{TrackID: t.ID}, nil
}

// Enrich reports nothing.
func (noFeatures) Enrich(context.Context, []TrackRef, func(string, mix.Features)) error { return nil }

// WithMixEnricher gives the mix service the shared Enricher (one per
// System: it owns the "enrichment" actor). Without it, seeding finds no
// tempos and suggestions score BPM and energy as unknown.
func WithMixEnricher(e *Enricher) MixesOption {
	return func(c *mixesConfig) {
		if e != nil {
			c.features = e
		}
	}
}
