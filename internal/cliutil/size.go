package cliutil

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrSize is returned (wrapped) by ParseSize for every malformed size.
var ErrSize = errors.New("invalid size")

// sizeUnits maps a lower-cased suffix to its multiplier. All units are
// binary (see the package documentation).
var sizeUnits = map[string]int64{
	"":    1,
	"b":   1,
	"k":   1 << 10,
	"kb":  1 << 10,
	"kib": 1 << 10,
	"m":   1 << 20,
	"mb":  1 << 20,
	"mib": 1 << 20,
	"g":   1 << 30,
	"gb":  1 << 30,
	"gib": 1 << 30,
	"t":   1 << 40,
	"tb":  1 << 40,
	"tib": 1 << 40,
}

// ParseSize parses a byte count: decimal digits followed by an optional
// binary unit (B, K, KB, KiB, M, MB, MiB, G, GB, GiB, T, TB, TiB, in any
// case). It rejects empty strings, signs, fractions, unknown units and
// values that do not fit in an int64; the error wraps ErrSize.
func ParseSize(s string) (int64, error) {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	digits, unit := s[:i], strings.ToLower(s[i:])
	if digits == "" {
		return 0, fmt.Errorf("%w %q: want a number with an optional unit such as 128K, 4M or 1G", ErrSize, s)
	}
	mult, ok := sizeUnits[unit]
	if !ok {
		return 0, fmt.Errorf("%w %q: unknown unit %q (use K, M, G or T; all are powers of 1024)", ErrSize, s, s[i:])
	}
	n, err := strconv.ParseInt(digits, 10, 64)
	if err != nil || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%w %q: too large", ErrSize, s)
	}
	return n * mult, nil
}
