package actors

import "time"

// playerDeltas are the events that take a stream from prev to next, both
// views of polls in order (prev nil: the first poll). All carry seq, the
// number of the poll next came from.
//
//   - the first poll, leaving idle, and a track appearing or disappearing
//     without playback stopping (an ad starting or ending): init only;
//   - entering idle: idle only; staying idle: nothing;
//   - otherwise, in this order: track (another id), state (play/pause),
//     device (id, name or type), modes, volume (same device), context
//     (another URI, or one appearing or disappearing), then tick while
//     playing.
func playerDeltas(prev, next *playerView, seq uint64) []Event {
	switch {
	case prev == nil, prev.idle() && !next.idle(), !next.idle() && (prev.track == nil) != (next.track == nil):
		return []Event{playerEvent(PlayerEventInit, next.init(seq, next.at))}
	case next.idle() && prev.idle():
		return nil
	case next.idle():
		return []Event{playerEvent(PlayerEventIdle, PlayerSeq{Seq: seq})}
	}
	var out []Event
	if next.track != nil && prev.track.ID != next.track.ID {
		out = append(out, playerEvent(PlayerEventTrack, PlayerTrackChange{PlayerTrack: *next.track, Seq: seq}))
	}
	if prev.isPlaying != next.isPlaying {
		out = append(out, playerEvent(PlayerEventState, PlayerStateChange{IsPlaying: next.isPlaying, Seq: seq}))
	}
	otherDevice := !sameString(prev.device.ID, next.device.ID) || prev.device.Name != next.device.Name || prev.device.Type != next.device.Type
	if otherDevice {
		out = append(out, playerEvent(PlayerEventDevice, PlayerDeviceChange{PlayerDevice: next.device, Seq: seq}))
	}
	if prev.modes != next.modes {
		out = append(out, playerEvent(PlayerEventModes, PlayerModesChange{PlayerModes: next.modes, Seq: seq}))
	}
	if !otherDevice && !sameInt(prev.device.VolumePercent, next.device.VolumePercent) {
		percent := 0
		if next.device.VolumePercent != nil {
			percent = *next.device.VolumePercent
		}
		out = append(out, playerEvent(PlayerEventVolume, PlayerVolumeChange{Percent: percent, Seq: seq}))
	}
	if (prev.context == nil) != (next.context == nil) || prev.context != nil && prev.context.URI != next.context.URI {
		out = append(out, playerEvent(PlayerEventContext, PlayerContextChange{Context: next.context, Seq: seq}))
	}
	if next.isPlaying {
		out = append(out, playerEvent(PlayerEventTick, PlayerTick{P: next.progress, TS: next.at.UnixMilli(), Seq: seq}))
	}
	return out
}

// endedTrack is the track that stopped between prev and next: prev's
// track when next plays another one, an ad, or nothing (idle). Every
// track change, into and out of idle included, is a play to record
// (the reference skipped the idle transitions, defect #39).
func endedTrack(prev, next *playerView) *PlayerTrack {
	if prev == nil || prev.track == nil {
		return nil
	}
	if next.track != nil && next.track.ID == prev.track.ID {
		return nil
	}
	return prev.track
}

// listenClock measures how long the current track has been heard. It
// starts when the track started (the poll that first shows it, minus its
// progress then), not when a stream connected, and it counts only time
// spent playing, so a pause is not a listen (defect #39: the reference's
// clock started at connect and was never reset after idle).
type listenClock struct {
	id      string
	heard   time.Duration
	last    time.Time // the poll heard is counted up to
	playing bool      // as of last
}

// observe folds one poll into the clock.
func (c *listenClock) observe(v *playerView) {
	switch {
	case v.track == nil:
		*c = listenClock{}
	case v.track.ID != c.id:
		*c = listenClock{id: v.track.ID, heard: ms(v.progress), last: v.at, playing: v.isPlaying}
	default:
		if c.playing && v.at.After(c.last) {
			c.heard += v.at.Sub(c.last)
		}
		c.last, c.playing = v.at, v.isPlaying
	}
}

// stop is how long the clock's track was heard when next replaced it:
// while playing, up to the moment next's track started (its poll time
// minus its progress), at most the track's duration.
func (c *listenClock) stop(next *playerView, duration int) time.Duration {
	heard := c.heard
	if c.playing {
		end := next.at
		if next.track != nil {
			end = end.Add(-ms(next.progress))
		}
		if end.After(c.last) {
			heard += end.Sub(c.last)
		}
	}
	if duration > 0 {
		heard = min(heard, ms(duration))
	}
	return heard
}

func ms(n int) time.Duration { return time.Duration(n) * time.Millisecond }

func sameString(a, b *string) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}

func sameInt(a, b *int) bool {
	return a == nil && b == nil || a != nil && b != nil && *a == *b
}
