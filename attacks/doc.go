// Package attacks finds adversarial examples for the lab's classifiers, trains robust ones and
// checks that a robustness number is not an artefact of a masked gradient.
//
// # Threat model
//
// An attack may move an input x (pixels in [Lo, Hi], default [0, 1]) anywhere in the ball
//
//	L∞:  ‖x' − x‖∞ ≤ ε      L2:  ‖x' − x‖₂ ≤ ε
//
// intersected with the valid range, to make the model misclassify it. The model is never changed:
// attacks only read logits and input gradients through the Model interface, which NetModel
// implements for any models.Net with models.InputGrad and models.Evaluator.
//
// # PGD and FGSM
//
// Projected gradient descent (Madry et al., ICLR 2018) ascends the cross-entropy
// L(x') = −log softmax(f(x'))[y] from a start x₀ (x itself, or a uniform random point of the ball)
// with Steps steps of size α (default 2.5·ε/Steps):
//
//	L∞:  x' ← Π( x' + α · sign(∇L(x')) )
//	L2:  x' ← Π( x' + α · ∇L(x') / ‖∇L(x')‖₂ )       (no move where the gradient is zero)
//
// where Π projects onto the ball (clamping each coordinate to [x−ε, x+ε], or rescaling δ = x'−x to
// norm ε) and then clips to [Lo, Hi]; clipping moves every coordinate towards x (x is in range), so
// the result stays in the ball. With Restarts R > 1 the attack runs R times from independent random
// starts (restart r draws from PCG(Seed, r), so an attack with more restarts repeats the first ones
// of an attack with fewer) and keeps, per sample, the first restart that makes the model
// misclassify it, else the one with the highest loss: a sample counts as robust only if it
// survives every restart. FGSM (Goodfellow et al., 2015) is one step of size ε from x; "fast"
// FGSM (Wong et al., ICLR 2020) starts uniformly in the ball and steps 1.25·ε.
//
// For TRADES the inner maximization ascends instead, from x' = x + 0.001·N(0, I),
//
//	KL( softmax(f(x)) ‖ softmax(f(x')) ),
//
// whose input gradient is that of the cross-entropy with soft targets p = softmax(f(x)).
//
// # Adversarial training
//
// Trainer takes one optimizer step per batch on adversarial inputs:
//
//	pgd (Madry):  min_θ  mean_i  CE(f(x'_i), y_i),             x' = PGD(x)
//	fast (Wong):  the same with x' = FGSM with random start, α = 1.25·ε
//	trades:       min_θ  mean_i  CE(f(x_i), y_i) + β·KL(p(x_i) ‖ p(x'_i)),   x' = the KL ascent above
//
// FGSM training at a large ε on a short budget can "catastrophically overfit" (Wong et al.): the
// model becomes robust to the single step it trains on while PGD accuracy drops to about zero.
//
// # Gradient-masking checks
//
// A robustness number means little unless the attack had a usable gradient. CheckMasking runs,
// on the same samples, the checks of Carlini et al. ("On evaluating adversarial robustness", 2019)
// and Athalye et al. (ICML 2018) that a short budget can afford, each with a tolerance tol in
// accuracy:
//
//	PGD ≤ FGSM:                    acc(PGD) ≤ acc(FGSM) + tol
//	stronger never helps:          acc(PGD-Steps×Restarts) ≤ acc(PGD-Steps) ≤ acc(PGD-Steps/4) (+ tol)
//	large ε breaks it:             acc(PGD at ε = Hi − Lo) ≤ MaxLargeEpsAcc (any image is reachable)
//	white-box beats transfer:      acc(PGD) ≤ acc(PGD crafted on a standard model) + tol
//	no catastrophic overfitting:   acc(FGSM) − acc(PGD) ≤ MaxFGSMGap
//	gradients are not zero:        fraction of samples whose ∇ₓL is exactly zero ≤ MaxZeroGrad
//
// and CheckMonotone checks a robust-accuracy curve: accuracy never rises with ε (+ tol).
//
// # The linear case
//
// For a linear binary classifier s(x) = w·x + b and labels y = ±1 the L∞ worst case is closed-form,
// min_{‖δ‖∞≤ε} y·s(x+δ) = y·s(x) − ε‖w‖₁, so adversarial logistic regression minimizes
//
//	mean_i log(1 + exp(−(y_i·s(x_i) − ε‖w‖₁))).
//
// On separable data standard gradient descent drives ‖w‖ (and with it every logit and gap) to
// infinity, like log t (Soudry et al., JMLR 2018); once ε exceeds the data's L∞ margin the
// adversarial loss grows with the scale of w, and ‖w‖ converges. TrainLogistic shows both.
package attacks
