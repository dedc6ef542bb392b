// Package audio holds the embedded speech and sound data of paper 3 (label-efficient audio), its
// decoding, label-limited splits, the self-supervised targets and the augmentations.
//
// # Data
//
// Every clip is one second at RateHz = 8000 Hz, mono. The embedded set (scripts/gen-audio) stores
// clips as G.711 μ-law bytes back to back in one gzip stream (data/clips.pcm.gz) and describes
// clip i in row i of data/index.csv (task, split, label, voice, word, speed, pitch). Four tasks:
//
//	keyword     10 Speech-Commands words; test voices are espeak-ng variants never heard in training
//	speaker     which of 10 voices speaks; train and test hold different words
//	instrument  GM family (8) of single FluidR3 notes; train and test hold different pitches
//	unlabelled  long readings by other voices, cut into 1 s clips (labels empty)
//
// ReadDir reads a folder of WAV files laid out like Speech Commands (<label>/<name>.wav) instead.
//
// # μ-law
//
// The G.711 byte b decodes to a 14-bit magnitude (DecodeG711). The encoder's input and the
// self-supervised targets use the continuous companding law with μ = 255:
//
//	F(x) = sign(x) · ln(1 + μ|x|) / ln(1 + μ),   x ∈ [−1, 1]
//	F⁻¹(y) = sign(y) · ((1 + μ)^|y| − 1) / μ
//	class(x) = ⌊(F(x) + 1)/2 · 255 + ½⌋ ∈ {0, …, 255}
//
// # Self-supervised targets (per time step, from unlabelled clips)
//
//	next step   input F(x[0:T]), target class(x[t+1]) for t < T−1 (the last step is ignored: −1)
//	denoise     input F(x + n), n white noise at an SNR drawn from [lo, hi] dB; target F(x)
//	upsample    input F(u), u = x decimated by 2 (pair means) and linearly interpolated back; target F(x)
//
// # Augmentation
//
// Gain g ∈ [1/a, a] (log-uniform), a circular-free time shift of up to s samples (zero filled),
// speed change by linear-interpolation resampling with factor r ∈ [1−v, 1+v] (pitch and tempo move
// together), additive white noise at an SNR in [lo, hi] dB. The harder test conditions add noise at
// a fixed SNR, band-limit with a moving average of width w, or smear with an exponentially decaying
// random impulse response (reverb-like). All noise comes from math/rand/v2 PCG streams seeded by
// the caller, so a seed fixes every sample.
package audio
