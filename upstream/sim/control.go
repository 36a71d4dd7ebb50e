package sim

import (
	"encoding/json"
	"net/http"
)

// mountControl registers the /_sim routes tests and djload use to read the
// accounting and to steer faults and latency at run time.
func (s *Server) mountControl() {
	s.mux.HandleFunc("GET /_sim/stats", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.acct.snapshot())
	})
	s.mux.HandleFunc("POST /_sim/reset", func(w http.ResponseWriter, r *http.Request) {
		s.acct.reset()
		writeJSON(w, http.StatusOK, s.acct.snapshot())
	})
	s.mux.HandleFunc("GET /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.faults.list())
	})
	s.mux.HandleFunc("POST /_sim/faults", s.postFaults)
	s.mux.HandleFunc("DELETE /_sim/faults", func(w http.ResponseWriter, r *http.Request) {
		s.faults.clear()
		w.WriteHeader(http.StatusNoContent)
	})
	s.mux.HandleFunc("GET /_sim/latency", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.latency.all())
	})
	s.mux.HandleFunc("PUT /_sim/latency", s.putLatency)
	s.mux.HandleFunc("GET /_sim/catalog", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.catalog.Summary())
	})
}

// postFaults adds one rule ({...}) or several ([{...}, ...]).
func (s *Server) postFaults(w http.ResponseWriter, r *http.Request) {
	var raw json.RawMessage
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&raw); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must be a fault or a list of faults"})
		return
	}
	var list []Fault
	if len(raw) > 0 && raw[0] == '[' {
		if err := json.Unmarshal(raw, &list); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
	} else {
		var one Fault
		if err := json.Unmarshal(raw, &one); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
		list = []Fault{one}
	}
	for _, f := range list {
		if err := f.validate(); err != nil {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
			return
		}
	}
	for _, f := range list {
		_ = s.faults.add(f)
	}
	writeJSON(w, http.StatusOK, s.faults.list())
}

// putLatency sets the distribution of one or more APIs:
// {"spotify": {"median": 120000000, "p99": 450000000}} (nanoseconds).
func (s *Server) putLatency(w http.ResponseWriter, r *http.Request) {
	var body map[string]Latency
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "body must map api names to {median, p99}"})
		return
	}
	for api := range body {
		if _, ok := apiPrefixes[api]; !ok {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "unknown api " + api})
			return
		}
	}
	for api, l := range body {
		s.latency.set(api, l)
	}
	writeJSON(w, http.StatusOK, s.latency.all())
}
