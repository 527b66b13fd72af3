package report

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Sanitize returns s with every control character other than newline and
// tab written as a visible escape. Text from outside, such as response
// bodies, certificate fields, log lines and file names, then cannot move
// the cursor, change colours or retitle the terminal it is printed to. C0
// controls and DEL become \x1b and the like, and C1 controls (U+0080 to
// U+009F) become \u009b and the like. Each byte that is not valid UTF-8
// becomes \x9b and the like, because a terminal that reads 8-bit
// controls takes a lone 0x9b byte for CSI.
func Sanitize(s string) string {
	if !needsSanitizing(s) {
		return s
	}
	var sb strings.Builder
	sb.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&sb, `\x%02x`, s[i])
		case isControl(r):
			if r < 0x80 {
				fmt.Fprintf(&sb, `\x%02x`, r)
			} else {
				fmt.Fprintf(&sb, `\u%04x`, r)
			}
		default:
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

// isControl reports whether r is a C0 or C1 control character or DEL,
// other than newline and tab.
func isControl(r rune) bool {
	if r == '\n' || r == '\t' {
		return false
	}
	return r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f
}

func needsSanitizing(s string) bool {
	for i := 0; i < len(s); i++ {
		if b := s[i]; b < 0x20 && b != '\n' && b != '\t' || b == 0x7f {
			return true
		}
		if s[i] >= utf8.RuneSelf {
			// Multi-byte text is rarer, so decode the rest rune by rune.
			for _, r := range s[i:] {
				if r == utf8.RuneError || isControl(r) {
					return true
				}
			}
			return false
		}
	}
	return false
}

// sanitizedCopy returns a deep copy of v with Sanitize applied to every
// string in it: fields, slice and array elements, map keys and values, and
// what pointers point to. Unexported fields, such as those of time.Time,
// are copied unchanged. The text renderers print such a copy, so a field
// added to a report later is covered without a change here.
func sanitizedCopy[T any](v T) T {
	return sanitizeValue(reflect.ValueOf(&v).Elem()).Interface().(T)
}

func sanitizeValue(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.String:
		return reflect.ValueOf(Sanitize(v.String())).Convert(v.Type())
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(sanitizeValue(v.Elem()))
		return p
	case reflect.Struct:
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := 0; i < v.NumField(); i++ {
			if out.Field(i).CanSet() {
				out.Field(i).Set(sanitizeValue(v.Field(i)))
			}
		}
		return out
	case reflect.Slice:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(sanitizeValue(v.Index(i)))
		}
		return out
	case reflect.Array:
		out := reflect.New(v.Type()).Elem()
		for i := 0; i < v.Len(); i++ {
			out.Index(i).Set(sanitizeValue(v.Index(i)))
		}
		return out
	case reflect.Map:
		if v.IsNil() {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		iter := v.MapRange()
		for iter.Next() {
			out.SetMapIndex(sanitizeValue(iter.Key()), sanitizeValue(iter.Value()))
		}
		return out
	}
	// NOTE: interfaces, funcs and channels are returned as they are,
	// because no report type contains one today.
	return v
}
