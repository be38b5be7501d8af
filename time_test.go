package bigfile

import (
	"math"
	"testing"
	"time"
)

func TestTimeConversions(t *testing.T) {
	std := time.Date(2023, 5, 31, 22, 0, 0, 123, time.UTC)
	tm := TimeOf(std)
	if uint64(tm) != 1685570400000000123 {
		t.Errorf("TimeOf = %d", tm)
	}
	if !tm.Std().Equal(std) || tm.Std().Location() != time.UTC {
		t.Errorf("Std = %v", tm.Std())
	}
	if TimeOf(time.Unix(-5, 0)) != 0 {
		t.Error("times before the epoch must clamp to 0")
	}
	if got := TimeOf(time.Now()); got.Std().Sub(time.Now()) > time.Second {
		t.Error("TimeOf(now) is off")
	}
	if tm.String() != "2023-05-31T22:00:00.000000123Z" {
		t.Errorf("String = %s", tm)
	}
}

func TestTimeArithmeticSaturates(t *testing.T) {
	if got := Time(10).Add(-20); got != 0 {
		t.Errorf("10-20 = %d", got)
	}
	if got := Time(math.MaxUint64 - 1).Add(5); got != math.MaxUint64 {
		t.Errorf("overflow = %d", got)
	}
	if got := Time(100).Add(time.Duration(-30)); got != 70 {
		t.Errorf("100-30 = %d", got)
	}
	if Time(5).Sub(Time(3)) != 2 || Time(3).Sub(Time(5)) != -2 {
		t.Error("Sub")
	}
	if Time(math.MaxUint64).Sub(0) != math.MaxInt64 || Time(0).Sub(math.MaxUint64) != math.MinInt64 {
		t.Error("Sub must saturate")
	}
	if !Time(1).Before(2) || !Time(2).After(1) {
		t.Error("Before/After")
	}
}

func TestTimeText(t *testing.T) {
	var tm Time
	if err := tm.UnmarshalText([]byte("1685570400000000000")); err != nil || tm != 1685570400000000000 {
		t.Fatalf("%v %d", err, tm)
	}
	text, _ := tm.MarshalText()
	if string(text) != "1685570400000000000" {
		t.Errorf("MarshalText = %s", text)
	}
	if tm.UnmarshalText([]byte("-1")) == nil {
		t.Error("accepted a negative time")
	}
}
