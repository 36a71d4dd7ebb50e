// Package djproto holds the protobuf messages that cross djd nodes in
// cluster mode (session.proto) and their generated Go code. Package
// actors converts its own session messages to and from them; run `make
// proto` after editing a .proto file and commit the regenerated code.
package djproto
