package main

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
	"unsafe"
)

// packet is one TCP segment with data seen on the loopback interface,
// stamped by the kernel when it was sent.
type packet struct {
	ts       time.Time
	src, dst uint16 // TCP ports
	payload  []byte
}

// sniffer reads TCP segments sent on the loopback interface (AF_PACKET,
// kernel timestamps). Benchmark P5 uses it to see when a model token left
// the simulator and when djd wrote it to the client, on one clock, without
// changing either program. It needs CAP_NET_RAW.
type sniffer struct {
	fd    int
	ports map[uint16]bool // keep segments from these source ports only
}

// openSniffer opens a packet socket bound to lo.
func openSniffer(ports ...uint16) (*sniffer, error) {
	fd, err := syscall.Socket(syscall.AF_PACKET, syscall.SOCK_RAW, int(htons(syscall.ETH_P_ALL)))
	if err != nil {
		return nil, fmt.Errorf("packet socket (needs root or CAP_NET_RAW): %w", err)
	}
	s := &sniffer{fd: fd, ports: map[uint16]bool{}}
	for _, p := range ports {
		s.ports[p] = true
	}
	lo, err := net.InterfaceByName("lo")
	if err == nil {
		err = syscall.Bind(fd, &syscall.SockaddrLinklayer{Protocol: htons(syscall.ETH_P_ALL), Ifindex: lo.Index})
	}
	if err == nil {
		err = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1)
	}
	if err == nil {
		err = syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_RCVBUF, 8<<20)
	}
	if err == nil {
		tv := syscall.NsecToTimeval(int64(200 * time.Millisecond))
		err = syscall.SetsockoptTimeval(fd, syscall.SOL_SOCKET, syscall.SO_RCVTIMEO, &tv)
	}
	if err != nil {
		_ = syscall.Close(fd)
		return nil, fmt.Errorf("packet socket on lo: %w", err)
	}
	return s, nil
}

// run hands every kept segment to emit until ctx ends, then closes the
// socket.
func (s *sniffer) run(ctx context.Context, emit func(packet)) error {
	defer syscall.Close(s.fd)
	buf := make([]byte, 1<<16)
	oob := make([]byte, 256)
	for ctx.Err() == nil {
		n, oobn, _, from, err := syscall.Recvmsg(s.fd, buf, oob, 0)
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return fmt.Errorf("recvmsg: %w", err)
		}
		// Loopback shows each packet twice: keep the sending side's copy.
		if ll, ok := from.(*syscall.SockaddrLinklayer); !ok || ll.Pkttype != syscall.PACKET_OUTGOING {
			continue
		}
		src, dst, payload, ok := parseTCP(buf[:n])
		if !ok || len(payload) == 0 || !s.ports[src] {
			continue
		}
		emit(packet{ts: stamp(oob[:oobn]), src: src, dst: dst, payload: append([]byte(nil), payload...)})
	}
	return nil
}

// stamp reads the kernel's SO_TIMESTAMPNS control message (now if absent).
func stamp(oob []byte) time.Time {
	msgs, err := syscall.ParseSocketControlMessage(oob)
	if err == nil {
		for _, m := range msgs {
			if m.Header.Level == syscall.SOL_SOCKET && m.Header.Type == syscall.SO_TIMESTAMPNS && len(m.Data) >= int(unsafe.Sizeof(syscall.Timespec{})) {
				ts := (*syscall.Timespec)(unsafe.Pointer(&m.Data[0]))
				return time.Unix(ts.Unix())
			}
		}
	}
	return time.Now()
}

// parseTCP takes an Ethernet frame (lo has a zeroed Ethernet header) and
// returns the TCP ports and payload of an IPv4 TCP segment.
func parseTCP(frame []byte) (src, dst uint16, payload []byte, ok bool) {
	if len(frame) < 14 || binary.BigEndian.Uint16(frame[12:14]) != 0x0800 {
		return 0, 0, nil, false
	}
	ip := frame[14:]
	if len(ip) < 20 || ip[0]>>4 != 4 || ip[9] != syscall.IPPROTO_TCP {
		return 0, 0, nil, false
	}
	ihl := int(ip[0]&0x0f) * 4
	total := int(binary.BigEndian.Uint16(ip[2:4]))
	if ihl < 20 || total > len(ip) || total < ihl+20 {
		return 0, 0, nil, false
	}
	tcp := ip[ihl:total]
	off := int(tcp[12]>>4) * 4
	if off < 20 || off > len(tcp) {
		return 0, 0, nil, false
	}
	return binary.BigEndian.Uint16(tcp[0:2]), binary.BigEndian.Uint16(tcp[2:4]), tcp[off:], true
}

func htons(v uint16) uint16 { return v<<8 | v>>8 }
