package bigfile

import (
	"strconv"
	"time"
)

// Time is a point in time in nanoseconds since the Unix epoch, UTC, as the
// Internet Computer's `ic0.time` and `ingress_expiry` count it. Unlike
// [time.Time] it has no monotonic part and no location, so it is the same on
// every replica and compares with ==. The zero value is the Unix epoch.
type Time uint64

// TimeOf converts t to a Time, dropping its monotonic reading. Times before
// the Unix epoch become 0.
func TimeOf(t time.Time) Time {
	ns := t.UnixNano()
	if ns < 0 {
		return 0
	}
	return Time(ns)
}

// Std returns t as a [time.Time] in UTC. Times beyond the year 2262, where
// [time.Time] nanoseconds overflow int64, are clamped to that limit.
func (t Time) Std() time.Time {
	if t > 1<<63-1 {
		t = 1<<63 - 1
	}
	return time.Unix(0, int64(t)).UTC()
}

// Add returns t+d, saturating at 0 and at the largest Time.
func (t Time) Add(d time.Duration) Time {
	if d < 0 {
		if Time(-d) > t {
			return 0
		}
		return t - Time(-d)
	}
	if s := t + Time(d); s >= t {
		return s
	}
	return ^Time(0)
}

// Sub returns t-u as a duration, saturating at the duration limits.
func (t Time) Sub(u Time) time.Duration {
	if t >= u {
		if d := t - u; d <= 1<<63-1 {
			return time.Duration(d)
		}
		return 1<<63 - 1
	}
	if d := u - t; d <= 1<<63 {
		return -time.Duration(d-1) - 1
	}
	return -1 << 63
}

// Before reports whether t is before u.
func (t Time) Before(u Time) bool { return t < u }

// After reports whether t is after u.
func (t Time) After(u Time) bool { return t > u }

// String returns t in RFC 3339 form with nanoseconds, in UTC.
func (t Time) String() string { return t.Std().Format(time.RFC3339Nano) }

// MarshalText implements [encoding.TextMarshaler] with the decimal nanosecond count,
// the form the Internet Computer's interfaces use.
func (t Time) MarshalText() ([]byte, error) { return strconv.AppendUint(nil, uint64(t), 10), nil }

// UnmarshalText implements [encoding.TextUnmarshaler] for a decimal nanosecond count.
func (t *Time) UnmarshalText(text []byte) error {
	n, err := strconv.ParseUint(string(text), 10, 64)
	if err != nil {
		return err
	}
	*t = Time(n)
	return nil
}
