//go:build cluster

// Package clustertest runs several actor Systems in one process as one
// protoactor cluster on loopback and checks that a user's mix session is
// one grain reachable from every member: edits from all members are
// serialized, idle grains re-activate from the store, a member that
// leaves hands its sessions to the others, and a request in flight to a
// member that is lost (killed, or dropped while hung) fails at once
// instead of waiting out the ask timeout.
//
// protoactor's cluster fails the race detector inside its gRPC logger and
// leaves goroutines behind after shutdown, so these tests are kept out of
// `go test -race ./...` by the build tag on every file. Run them with
//
//	go test -tags cluster -count=1 ./internal/clustertest/
package clustertest
