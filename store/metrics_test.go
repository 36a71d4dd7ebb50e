package store

import (
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMetricsRegisteredAndCounted(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		reg := prometheus.NewRegistry()
		s, err := Open(b.config(Config{}), reg)
		require.NoError(t, err)
		ctx := testCtx(t)

		sessions, features := Sessions[rec](s), Features[rec](s)
		require.NoError(t, sessions.Put(ctx, "a", rec{ID: "a"}))
		for _, key := range []string{"a", "a", "absent"} {
			_, _, err := sessions.Get(ctx, key)
			require.NoError(t, err)
		}
		require.NoError(t, features.PutMiss(ctx, "neg"))
		rawSet(t, s.features, "bad", []byte("garbage"))
		for _, key := range []string{"neg", "bad"} {
			_, _, err := features.Get(ctx, key)
			require.NoError(t, err)
		}

		got := gatherValues(t, reg)
		want := map[string]float64{}
		for _, ns := range []string{NSSessions, NSAudioFeatures, NSMixSessions} {
			for _, r := range []string{"hit", "miss", "negative", "invalid"} {
				want["dj_store_reads_total{ns="+ns+",result="+r+"}"] = 0
			}
		}
		want["dj_store_reads_total{ns=sessions,result=hit}"] = 2
		want["dj_store_reads_total{ns=sessions,result=miss}"] = 1
		want["dj_store_reads_total{ns=audio_features,result=negative}"] = 1
		want["dj_store_reads_total{ns=audio_features,result=invalid}"] = 1
		// The size gauge reports db.Size() (LSM + value log), the same as
		// Stats; Redis reports 0.
		for ns, st := range s.Stats() {
			want["dj_store_bytes{ns="+ns+"}"] = float64(st.LSMBytes + st.VlogBytes)
			if b.srv != nil {
				assert.Zero(t, st.LSMBytes+st.VlogBytes, ns)
			}
		}
		assert.Equal(t, want, got)

		// Close unregisters, so a reopened store can register into the same registry.
		require.NoError(t, s.Close())
		assert.Empty(t, gatherValues(t, reg))
		s2, err := Open(b.config(Config{}), reg)
		require.NoError(t, err)
		require.NoError(t, s2.Close())
	})
}

func TestMetricsDuplicateRegistrationFailsOpen(t *testing.T) {
	eachBackend(t, func(t *testing.T, b *backendCase) {
		reg := prometheus.NewRegistry()
		s, err := Open(b.config(Config{}), reg)
		require.NoError(t, err)
		defer func() { require.NoError(t, s.Close()) }()
		_, err = Open(b.config(Config{}), reg)
		require.ErrorContains(t, err, "store: register metrics")
		// goleak (TestMain) checks that the failed Open released its client.
	})
}

func TestNilRegistererRegistersNothing(t *testing.T) {
	s := openMem(t, Config{})
	assert.Nil(t, s.metrics)
}

// gatherValues reads every sample of reg as "name{label=value,...}" → value.
// (prometheus/testutil would do, but it needs a module that go.mod lacks.)
func gatherValues(t *testing.T, reg *prometheus.Registry) map[string]float64 {
	t.Helper()
	mfs, err := reg.Gather()
	require.NoError(t, err)
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			var labels []string
			for _, lp := range m.GetLabel() {
				labels = append(labels, lp.GetName()+"="+lp.GetValue())
			}
			sort.Strings(labels)
			key := mf.GetName() + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.GetCounter() != nil:
				out[key] = m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key] = m.GetGauge().GetValue()
			default:
				t.Fatalf("%s: unexpected metric type %v", key, mf.GetType())
			}
		}
	}
	return out
}
