// Package logits measures what a classifier's logits say about each sample, and compares two
// classifiers sample by sample.
//
// # Per-sample statistics
//
// For logits z ∈ R^K of one sample, sorted z₍₁₎ ≥ z₍₂₎ ≥ … ≥ z₍K₎:
//
//	max logit   M = z₍₁₎
//	logit gap   G = z₍₁₎ − z₍₂₎            (≥ 0)
//	confidence  C = softmax(z)₍₁₎ = 1 / Σ_k exp(z_k − M)
//	log-odds    O = log(C / (1 − C)) = −log Σ_{k ≠ top} exp(z_k − M)
//	prediction  argmax z (the first index on ties)
//
// all in float64. C rounds to exactly 1 once G exceeds about 37; O does not saturate until the
// exponentials underflow (G ≈ 745), so rank statistics of "confidence" use O, which orders the
// samples exactly as C does.
//
// # Rank correlations
//
// Spearman's ρ is Pearson's correlation of the ranks, ties given their average rank:
//
//	ρ = Σ (r_i − r̄)(s_i − s̄) / sqrt(Σ (r_i − r̄)² · Σ (s_i − s̄)²).
//
// Kendall's τ_b (Kendall 1945) over the n(n−1)/2 pairs, with n_c concordant and n_d discordant
// pairs and t_a, t_b the pairs tied in a only and in b only (pairs tied in both count in neither):
//
//	τ_b = (n_c − n_d) / sqrt((n₀ − n₁)(n₀ − n₂)),   n₀ = n(n−1)/2,
//	n₁ = Σ_ties in a t(t−1)/2,   n₂ = Σ_ties in b u(u−1)/2,
//
// computed in O(n log n) by Knight's algorithm (JASA 1966): sort by (a, b), count the pairs tied
// in a and in both, then count the swaps a merge sort by b needs (the discordant pairs).
// Both are NaN when either variable is constant.
//
// # Histograms
//
// Histograms share bin edges e₀ < e₁ < … < e_B so that two models' distributions can be drawn side
// by side; a value v falls in bin j when e_j ≤ v < e_{j+1}, the last bin also takes v = e_B, values
// below e₀ or above e_B are counted in the end bins, and NaN values are not counted.
package logits
