// Package plural formats counts with a noun in the right number, as in
// "1 certificate" and "2 certificates", for messages and summaries.
package plural

import "strconv"

// Count returns n followed by noun, with an "s" added unless n is 1.
// noun must be a regular English noun whose plural adds "s".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}
