package attacks

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/logitlab/logitlab/data"
	"github.com/logitlab/logitlab/models"
)

// mnistSmall returns the first n training and m test images of the built-in MNIST subset.
func mnistSmall(t *testing.T, n, m int) (train, test *data.Set) {
	t.Helper()
	tr, te, _, err := data.Load("mnist", data.Options{})
	if err != nil {
		t.Fatal(err)
	}
	idx := func(k int) []int {
		out := make([]int, k)
		for i := range out {
			out[i] = i
		}
		return out
	}
	return tr.Subset(idx(n)), te.Subset(idx(m))
}

// meanMaxGap returns the mean max logit and mean logit gap of m on x.
func meanMaxGap(t *testing.T, m Model, x []float32) (float64, float64) {
	t.Helper()
	k := m.Classes()
	z := make([]float32, len(x)/m.Dim()*k)
	if err := m.Logits(z, x); err != nil {
		t.Fatal(err)
	}
	var sm, sg float64
	n := len(z) / k
	for i := 0; i < n; i++ {
		m1, m2 := math.Inf(-1), math.Inf(-1)
		for _, v := range z[i*k : (i+1)*k] {
			if f := float64(v); f > m1 {
				m1, m2 = f, m1
			} else if f > m2 {
				m2 = f
			}
		}
		sm += m1
		sg += m1 - m2
	}
	return sm / float64(n), sg / float64(n)
}

// TestAdversarialTrainingSmallBudget trains, on 2,000 MNIST digits for 3 epochs with the same
// data order, a standard MLP and one robust MLP per method, then checks the paper's claim on the
// 300 first test digits: each robust model's accuracy under PGD-20×2 at the training ε is far
// above the standard model's, and its mean max logit and mean gap are lower.
func TestAdversarialTrainingSmallBudget(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("trains four MLPs")
	}
	train, test := mnistSmall(t, 2000, 300)
	spec := models.Spec{Arch: models.ArchMLP, C: 1, H: 28, W: 28, Classes: 10, Hidden: []int{128}}
	const batch, epochs, eps = 50, 3, 0.1
	type model struct {
		name string
		net  *models.Net
		tr   *models.Trainer
		adv  *Trainer
	}
	var ms []*model
	for _, method := range []Method{"", MethodPGD, MethodTRADES, MethodFast} {
		n, err := models.NewNet(spec, 1)
		if err != nil {
			t.Fatal(err)
		}
		tr, err := models.NewTrainer(n, batch, models.OptimSpec{})
		if err != nil {
			t.Fatal(err)
		}
		defer tr.Close()
		m := &model{name: "standard", net: n, tr: tr}
		if method != "" {
			m.name = string(method)
			if m.adv, err = NewTrainer(n, tr, TrainParams{Method: method, Eps: eps, Steps: 5}); err != nil {
				t.Fatal(err)
			}
			defer m.adv.Close()
		}
		ms = append(ms, m)
	}
	dim := train.Dim()
	xb, yb := make([]float32, batch*dim), make([]int, batch)
	ctx := context.Background()
	for e := 0; e < epochs; e++ {
		order := data.EpochOrder(train.N, 1, e)
		for s := 0; s+batch <= train.N; s += batch {
			for i := 0; i < batch; i++ {
				copy(xb[i*dim:], train.Image(order[s+i]))
				yb[i] = train.Labels[order[s+i]]
			}
			for _, m := range ms {
				var err error
				if m.adv == nil {
					_, err = m.tr.Step(xb, yb)
				} else {
					_, err = m.adv.Step(ctx, xb, yb, uint64(e*1000+s))
				}
				if err != nil {
					t.Fatalf("%s: %v", m.name, err)
				}
			}
		}
	}
	eval := Madry(eps, 20, 2)
	var std struct{ clean, rob, mx, gap float64 }
	for i, m := range ms {
		nm, err := NewNetModel(m.net, 100)
		if err != nil {
			t.Fatal(err)
		}
		defer nm.Close()
		clean, _, err := Accuracy(nm, test.Pixels, test.Labels)
		if err != nil {
			t.Fatal(err)
		}
		rob, _, _, err := Robust(ctx, nm, eval, test.Pixels, test.Labels)
		if err != nil {
			t.Fatal(err)
		}
		mx, gap := meanMaxGap(t, nm, test.Pixels)
		t.Logf("%-8s clean %.3f  %s %.3f  mean M %.2f  mean G %.2f", m.name, clean, eval.Name(), rob, mx, gap)
		if i == 0 {
			std.clean, std.rob, std.mx, std.gap = clean, rob, mx, gap
			continue
		}
		if rob < std.rob+0.2 {
			t.Errorf("%s: robust accuracy %.3f is not far above the standard model's %.3f", m.name, rob, std.rob)
		}
		if mx >= std.mx || gap >= std.gap {
			t.Errorf("%s: mean M %.2f, G %.2f not below the standard model's %.2f, %.2f", m.name, mx, gap, std.mx, std.gap)
		}
	}
}

// TestTrainerSettings covers the live settings and their errors.
func TestTrainerSettings(t *testing.T) {
	t.Parallel()
	spec := models.Spec{Arch: models.ArchMLP, C: 1, H: 2, W: 2, Classes: 2, Hidden: []int{3}}
	n, err := models.NewNet(spec, 1)
	if err != nil {
		t.Fatal(err)
	}
	tr, err := models.NewTrainer(n, 2, models.OptimSpec{})
	if err != nil {
		t.Fatal(err)
	}
	defer tr.Close()
	if _, err := NewTrainer(n, tr, TrainParams{Method: "free", Eps: 0.1}); err == nil {
		t.Error("unknown method accepted")
	}
	if _, err := NewTrainer(n, tr, TrainParams{Method: MethodPGD, Eps: -1}); err == nil {
		t.Error("negative eps accepted")
	}
	a, err := NewTrainer(n, tr, TrainParams{Method: MethodPGD, Eps: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.SetEps(0.2); err != nil || a.Params().Eps != 0.2 {
		t.Errorf("SetEps: %v, eps %v", err, a.Params().Eps)
	}
	if err := a.SetEps(math.NaN()); err == nil || a.Params().Eps != 0.2 {
		t.Error("SetEps(NaN) accepted or changed eps")
	}
	if err := a.SetSteps(0); err == nil {
		t.Error("SetSteps(0) accepted")
	}
	if err := a.SetBeta(2); err == nil {
		t.Error("SetBeta on a pgd trainer accepted")
	}
	x := []float32{0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, float32(math.NaN())}
	var nf *models.NonFiniteError
	if _, err := a.Step(context.Background(), x, []int{0, 1}, 1); !errors.As(err, &nf) {
		t.Errorf("NaN pixel: %v, want a *models.NonFiniteError", err)
	}
	if tr.Steps() != 0 {
		t.Error("a failed adversarial step counted")
	}
}

// TestLogisticWeightNormLevelsOff is the linear check: on separable data whose L∞ margin is
// 0.1, standard logistic regression's weight norm and mean gap keep growing (like log t),
// while adversarial training at ε = 0.3 > 0.1 converges to a finite norm and a smaller gap.
func TestLogisticWeightNormLevelsOff(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(3, 4))
	var x [][]float64
	var y []float64
	for i := 0; i < 200; i++ {
		s := float64(1 - 2*(i%2)) // ±1
		x = append(x, []float64{s * (0.1 + 0.9*rng.Float64()), rng.Float64() - 0.5})
		y = append(y, s)
	}
	p := LogisticParams{LR: 1, Steps: 40_000, RecordEvery: 5_000}
	std := TrainLogistic(x, y, p)
	p.Eps = 0.3
	adv := TrainLogistic(x, y, p)
	for i := range std {
		t.Logf("step %5d  standard ‖w‖ %.3f G %.3f   adversarial ‖w‖ %.4f G %.4f", std[i].Step,
			std[i].WeightNorm, std[i].MeanGap, adv[i].WeightNorm, adv[i].MeanGap)
	}
	mid, last := len(std)/2-1, len(std)-1 // steps 20,000 and 40,000
	if g := std[last].WeightNorm / std[mid].WeightNorm; g < 1.03 {
		t.Errorf("standard ‖w‖ grew only ×%.4f from step %d to %d; want unbounded growth", g, std[mid].Step, std[last].Step)
	}
	if g := math.Abs(adv[last].WeightNorm/adv[mid].WeightNorm - 1); g > 1e-3 {
		t.Errorf("adversarial ‖w‖ changed by %.2g from step %d to %d; want it levelled off", g, adv[mid].Step, adv[last].Step)
	}
	if adv[last].MeanGap >= std[last].MeanGap/2 {
		t.Errorf("adversarial mean gap %.3f not well below the standard %.3f", adv[last].MeanGap, std[last].MeanGap)
	}
}
