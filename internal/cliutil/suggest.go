package cliutil

// Suggest returns the candidate closest to word, for a "did you mean"
// hint after a mistyped subcommand, flag or mount option, or "" when none
// is close enough to be a plausible typo: at most one edit for words of up
// to four letters, two for longer ones (an edit inserts, deletes or
// replaces one letter, or swaps two adjacent ones). Ties go to the
// candidate listed first, so the caller's order is the tie-break.
func Suggest(word string, candidates []string) string {
	limit := 1
	if len(word) > 4 {
		limit = 2
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if d := editDistance(word, c); d < bestDist {
			best, bestDist = c, d
		}
	}
	return best
}

// editDistance is the optimal string alignment distance between a and b,
// counted in bytes: insertions, deletions, substitutions and transpositions
// of adjacent bytes each cost one.
func editDistance(a, b string) int {
	// prev2, prev and cur are rows i-2, i-1 and i of the distance table.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				cur[j] = min(cur[j], prev2[j-2]+1)
			}
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}
