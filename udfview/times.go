package udfview

import (
	"encoding/binary"
	"time"
)

// A UDF timestamp (ECMA-167 1/7.3) is 12 bytes:
//
//	0  uint16 type (top 4 bits; 1 = local time) and time zone (low 12
//	          bits, signed minutes east of UTC; -2047 = not specified)
//	2  int16  year (1-9999)
//	4  month, day, hour, minute, second (one byte each)
//	9  centiseconds, hundreds of microseconds, microseconds
//
// decodeTimestamp returns it in UTC; an unrecorded or impossible date is
// the zero time.
func decodeTimestamp(b []byte) time.Time {
	tz := binary.LittleEndian.Uint16(b[0:])
	year := int(int16(binary.LittleEndian.Uint16(b[2:])))
	mon, day, hour, min, sec := int(b[4]), int(b[5]), int(b[6]), int(b[7]), int(b[8])
	cs, hus, us := int(b[9]), int(b[10]), int(b[11])
	if year < 1 || mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 || sec > 60 || cs > 99 || hus > 99 || us > 99 {
		return time.Time{}
	}
	offset := 0
	if tz>>12 == 1 {
		if m := int(int16(tz<<4) >> 4); m >= -1440 && m <= 1440 {
			offset = m * 60
		}
	}
	ns := (cs*10000 + hus*100 + us) * 1000
	return time.Date(year, time.Month(mon), day, hour, min, sec, ns, time.FixedZone("", offset)).UTC()
}
