// Package theory is paper 2's teacher–student world (Lee & Ndirango, "A statistical-physics approach
// to multitask generalization", NeurIPS 2019): the two-task data generator of the authors' code, the
// finite-data students they trained, and the online-learning theory of the same setting.
//
// # The generator (Generate)
//
// Inputs x ~ N(0, I_d) are drawn separately for each task. Both teachers are linear two-layer networks
// without bias, built from one orthogonal (2·rank × d) matrix U (rank ≤ d/2) with rows u1 = U[:rank]
// and u2 = U[rank:]:
//
//	W1 = s_a·S·u1,   W2 = s_b·S·(r·u1 + √(1−r²)·u2),   S = I or diag(e^{−i}/Σ_j e^{−j})
//	y_t = argmax(w_t·W_t·x + σ·ξ),   ξ ~ N(0, I_classes),   σ = noise_scale·√(1/d)
//
// with w_t an orthogonal (classes × rank) head. So W1·W2ᵀ = r·s_a·s_b·S²: r is the relatedness (the
// cosine between the tasks' feature subspaces), s_a and s_b the signal strengths (low = noisy task).
// Test labels are noisy too. Options follow the authors' make_teacher_classification: label flips
// (a label replaced by a uniformly random class), exponentially decaying singular values, the
// "randomize" null control (task-2 inputs shuffled against their labels), and clean validation labels.
// Their --clean_validation labels half of the generated pool without noise and then shuffles it
// before the train/test split, so about half of all labels end up clean; ValidationHalf reproduces
// that, ValidationClean does what the flag's name says. Each part of the problem draws from its own
// random stream: task 1's data do not depend on r, s_b or n_train2, and a larger n_train only appends
// points, as the authors' nested subsets of one generated pool do.
//
// # The students (Student, Fit)
//
// A shared trunk of Depth dense layers (Width units, ReLU or linear, with biases) feeds one dense head
// per task; weights start orthogonal (nn.init.orthogonal_) and biases uniform in ±1/√fan_in, each
// layer from its own stream so that a single-task and a multitask student of one seed start equal.
// Fit is the authors' train_models with update_every: plain SGD on the mean cross-entropy of
// minibatches (the last one of a pass may be short), ⌈n_train/batch⌉ task-1 steps per epoch, each
// followed by n_train2/n_train task-2 steps, the trunk updated after every step; after each epoch the
// task-1 validation cross-entropy is measured (as the mean of per-batch means over batches of 128, as
// their DataLoader loop does) and its minimum over the epochs is the result. The multitask benefit is
// single-task loss − multitask loss.
//
// The forward and backward passes are written by hand in float64 on top of the registered BLAS
// (gonum's blas64: OpenBLAS in the lab binary, gonum's assembly kernels in tests), and checked against
// central finite differences. Measured on this project's 2-core VM for the paper's student (20→64→64
// ReLU, 10 classes, batch 128), one SGD step costs 1.13 ms as a Gorgonia graph (models.Trainer,
// TapeMachine), 0.56 ms by hand on gonum and 0.25 ms by hand on OpenBLAS: a 2000-epoch training at
// n = 800 is 14,000–28,000 steps, and a sweep is thousands of trainings, so the graph's per-node
// bookkeeping (allocation, dispatch, no buffer reuse) would dominate the arithmetic of these tiny
// matrices.
//
// # The online theory (Theory)
//
// This is the online limit of the same setting, not the paper's finite-data theory (whose equations
// are not available): the statistical mechanics of on-line learning (Saad & Solla 1995; Goldt et al.,
// NeurIPS 2019) for d → ∞ with each sample seen once and α = task-1 samples / d. The student has one
// linear trunk layer A (M × d) and heads (V_t, b_t); fields λ = A·x/√d, ν_t = W_t·x/√d. Per sample of
// task t, with δ = softmax(V_t·λ + b_t) − e_y and g = V_tᵀ·δ,
//
//	A ← A − (η/√d)·g·xᵀ,   V_t ← V_t − (η_V/d)·δ·λᵀ,   b_t ← b_t − (η_V/d)·δ
//
// (the head rate must scale as 1/d, or the curves depend on d). The order parameters Q = A·Aᵀ/d,
// R = A·[W1; W2]ᵀ/d and the heads then follow, for ρ_1 = 1 and ρ_2 task-2 samples per task-1 sample,
//
//	dQ/dα   = Σ_t ρ_t [ −η (E_t[g λᵀ] + E_t[λ gᵀ]) + η² E_t[g gᵀ] ]
//	dR/dα   = −η Σ_t ρ_t E_t[g νᵀ]          (ν: both teachers' fields)
//	dV_t/dα = −η_V ρ_t E_t[δ λᵀ],   db_t/dα = −η_V ρ_t E_t[δ]
//
// with (λ, ν) ~ N(0, [[Q, R], [Rᵀ, T]]), T the teachers' fixed overlaps. The η² term drives the growth
// of Q and sets the final excess error; a task-2 sample moves R's task-1 columns through ν. The
// averages need only the 2K-dimensional Gaussian h = (V_t·λ, w_t·ν_t + σξ), on which δ depends:
// for any z jointly Gaussian with h, E[δ zᵀ] = E[δ hᵀ]·C_h⁺·Cov(h, z) (the regression of z on h is
// linear), so E[δ λᵀ] and E[δ νᵀ] follow from Monte Carlo estimates of E[δ hᵀ], E[δ δᵀ] and E[δ] over
// h = C_h^{1/2}·z. The standard normals z are drawn once (common random numbers: the same numbers at
// every step and in every setting, so differences such as the benefit are smooth in α and r), with a
// separate sample for the test error; C_h^{1/2} and its pseudo-inverse come from one symmetric eigen-
// decomposition (C_h is singular at r = 1 or σ = 0). Heun's method (RK2) in steps dα of 0.25 is
// accurate to about 1e-3. The test cross-entropy and accuracy (noisy test labels) are the same kind of
// average at the current order parameters.
//
// Simulate runs the same SGD on explicit samples at finite d and reads the order parameters off its
// weights; the theory agrees with the mean of such runs at d = 200 within their standard errors along
// the whole learning curve (see TestTheoryMatchesSimulation, and `logitlab run multitask --mode
// theory` for the full figure).
package theory
