package nlp

// germanStem implements the Snowball German stemmer ("german2" variant: ae, oe and ue count as
// umlauts, so "Gruesse" and "Grüße" stem alike), https://snowballstem.org/algorithms/german/stemmer.html.
// kljensen/snowball has no German stemmer. The input is one lower-case word; the result has no
// umlauts.
func germanStem(word string) string {
	w := []rune(word)
	if len(w) <= 3 {
		return FoldUmlauts(word)
	}
	// Preprocess: ß → ss; u and y between vowels → U, Y (protected); then ae, oe, ue → ä, ö, ü.
	out := make([]rune, 0, len(w)+2)
	for _, r := range w {
		if r == 'ß' {
			out = append(out, 's', 's')
			continue
		}
		out = append(out, r)
	}
	w = out
	for i := 1; i+1 < len(w); i++ {
		if (w[i] == 'u' || w[i] == 'y') && isGermanVowel(w[i-1]) && isGermanVowel(w[i+1]) {
			w[i] -= 'a' - 'A'
		}
	}
	out = w[:0:0]
	for i := 0; i < len(w); i++ {
		if i+1 < len(w) && w[i+1] == 'e' {
			switch {
			case w[i] == 'a':
				out = append(out, 'ä')
				i++
				continue
			case w[i] == 'o':
				out = append(out, 'ö')
				i++
				continue
			case w[i] == 'u' && (i == 0 || w[i-1] != 'q'):
				out = append(out, 'ü')
				i++
				continue
			}
		}
		out = append(out, w[i])
	}
	w = out

	r1 := regionStart(w, 0)
	if r1 < 3 {
		r1 = 3
	}
	if r1 > len(w) {
		r1 = len(w)
	}
	r2 := regionStart(w, r1)

	// Step 1.
	switch {
	case hasSuffix(w, "em"), hasSuffix(w, "ern"), hasSuffix(w, "er"):
		s := longest(w, "ern", "em", "er")
		if len(w)-s >= r1 {
			w = w[:len(w)-s]
		}
	case hasSuffix(w, "e"), hasSuffix(w, "en"), hasSuffix(w, "es"):
		s := longest(w, "en", "es", "e")
		if len(w)-s >= r1 {
			w = w[:len(w)-s]
			if hasSuffix(w, "niss") {
				w = w[:len(w)-1]
			}
		}
	case hasSuffix(w, "s"):
		if len(w)-1 >= r1 && len(w) >= 2 && isSEnding(w[len(w)-2]) {
			w = w[:len(w)-1]
		}
	}
	// Step 2.
	switch {
	case hasSuffix(w, "est"), hasSuffix(w, "en"), hasSuffix(w, "er"):
		s := longest(w, "est", "en", "er")
		if len(w)-s >= r1 {
			w = w[:len(w)-s]
		}
	case hasSuffix(w, "st"):
		if len(w)-2 >= r1 && len(w) >= 6 && isSEnding(w[len(w)-3]) && w[len(w)-3] != 'r' {
			w = w[:len(w)-2]
		}
	}
	// Step 3: d-suffixes.
	inR2 := func(n int) bool { return len(w)-n >= r2 }
	inR1 := func(n int) bool { return len(w)-n >= r1 }
	switch {
	case hasSuffix(w, "end"), hasSuffix(w, "ung"):
		if inR2(3) {
			w = w[:len(w)-3]
			if hasSuffix(w, "ig") && inR2(2) && !(len(w) >= 3 && w[len(w)-3] == 'e') {
				w = w[:len(w)-2]
			}
		}
	case hasSuffix(w, "isch"), hasSuffix(w, "ig"), hasSuffix(w, "ik"):
		s := longest(w, "isch", "ig", "ik")
		if inR2(s) && !(len(w) > s && w[len(w)-s-1] == 'e') {
			w = w[:len(w)-s]
		}
	case hasSuffix(w, "lich"), hasSuffix(w, "heit"):
		if inR2(4) {
			w = w[:len(w)-4]
			if (hasSuffix(w, "er") || hasSuffix(w, "en")) && inR1(2) {
				w = w[:len(w)-2]
			}
		}
	case hasSuffix(w, "keit"):
		if inR2(4) {
			w = w[:len(w)-4]
			switch {
			case hasSuffix(w, "lich") && inR2(4):
				w = w[:len(w)-4]
			case hasSuffix(w, "ig") && inR2(2):
				w = w[:len(w)-2]
			}
		}
	}
	for i, r := range w {
		switch r {
		case 'U':
			w[i] = 'u'
		case 'Y':
			w[i] = 'y'
		case 'ä':
			w[i] = 'a'
		case 'ö':
			w[i] = 'o'
		case 'ü':
			w[i] = 'u'
		}
	}
	return string(w)
}

func isGermanVowel(r rune) bool {
	switch r {
	case 'a', 'e', 'i', 'o', 'u', 'y', 'ä', 'ö', 'ü':
		return true
	}
	return false
}

func isSEnding(r rune) bool {
	switch r {
	case 'b', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'r', 't':
		return true
	}
	return false
}

// regionStart returns the start of the region after the first non-vowel following a vowel,
// searching from from (R1 from 0, R2 from R1).
func regionStart(w []rune, from int) int {
	for i := from + 1; i < len(w); i++ {
		if !isGermanVowel(w[i]) && isGermanVowel(w[i-1]) {
			return i + 1
		}
	}
	return len(w)
}

func hasSuffix(w []rune, s string) bool {
	rs := []rune(s)
	if len(rs) > len(w) {
		return false
	}
	off := len(w) - len(rs)
	for i, r := range rs {
		if w[off+i] != r {
			return false
		}
	}
	return true
}

// longest returns the rune length of the first of suffixes (given longest first) that w ends with.
func longest(w []rune, suffixes ...string) int {
	for _, s := range suffixes {
		if hasSuffix(w, s) {
			return len([]rune(s))
		}
	}
	return 0
}

// FoldUmlauts maps ä, ö, ü to a, o, u and ß to ss.
func FoldUmlauts(s string) string {
	b := make([]rune, 0, len(s))
	for _, r := range s {
		switch r {
		case 'ä':
			b = append(b, 'a')
		case 'ö':
			b = append(b, 'o')
		case 'ü':
			b = append(b, 'u')
		case 'ß':
			b = append(b, 's', 's')
		default:
			b = append(b, r)
		}
	}
	return string(b)
}
