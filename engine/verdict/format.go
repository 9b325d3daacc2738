package verdict

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Format renders a value a check observed: durations as "812.4ms", "1.2s" or
// "2m3.5s", floats with three significant digits below 1 ("0.933",
// "0.00467") and two decimals above (trailing zeros trimmed), integers as
// they are.
func Format(v any) string {
	switch v := v.(type) {
	case time.Duration:
		return FormatDuration(v)
	case float64:
		return FormatFloat(v)
	case float32:
		return FormatFloat(float64(v))
	case nil:
		return "nil"
	}
	return fmt.Sprint(v)
}

// FormatDuration renders d for people: milliseconds below a second, seconds
// below a minute, one decimal, trailing ".0" dropped.
func FormatDuration(d time.Duration) string {
	a := d.Abs()
	switch {
	case a < time.Second:
		return trimFloat(float64(d)/float64(time.Millisecond), 1) + "ms"
	case a < time.Minute:
		return trimFloat(d.Seconds(), 1) + "s"
	}
	return d.Round(100 * time.Millisecond).String()
}

// FormatFloat renders f with three significant digits when |f| < 1 and two
// decimals otherwise, trailing zeros dropped.
func FormatFloat(f float64) string {
	a := math.Abs(f)
	if a == 0 || a >= 1 || math.IsNaN(f) || math.IsInf(f, 0) {
		return trimFloat(f, 2)
	}
	return trimFloat(f, 2-int(math.Floor(math.Log10(a))))
}

func trimFloat(f float64, decimals int) string {
	s := strconv.FormatFloat(f, 'f', decimals, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		return "0"
	}
	return s
}
