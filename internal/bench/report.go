package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// report is everything one Run writes.
type report struct {
	Rounds   int
	Peak     Peak
	OursNote string
	Torch    *TorchInfo // nil without --against-torch
	Results  []Result
	Errors   []string // workloads whose own side failed, and why
}

// jsonReport is the --json document: one object, with the workloads under "workloads".
type jsonReport struct {
	Rounds          int            `json:"rounds"`
	PeakGFLOPS      float64        `json:"peak_gflops"`
	PeakFormula     string         `json:"peak_formula"`
	Peak            Peak           `json:"peak"`
	Ours            string         `json:"ours,omitempty"`
	Torch           *TorchInfo     `json:"torch,omitempty"`
	RatioDefinition string         `json:"ratio_definition"`
	Workloads       []jsonWorkload `json:"workloads"`
	Errors          []string       `json:"errors,omitempty"` // workloads left out because our side failed
}

// jsonWorkload holds one workload; the torch_* numbers and ratio are null when PyTorch did not run.
type jsonWorkload struct {
	Name               string   `json:"name"`
	About              string   `json:"about,omitempty"`
	OursSamplesPerSec  float64  `json:"ours_samples_per_sec"`
	TorchSamplesPerSec *float64 `json:"torch_samples_per_sec"`
	Ratio              *float64 `json:"ratio"`
	OursPeakRSSMB      float64  `json:"ours_peak_rss_mb"`
	TorchPeakRSSMB     *float64 `json:"torch_peak_rss_mb"`
	SamplesPerStep     int      `json:"samples_per_step"`
	FLOPsPerStep       float64  `json:"flops_per_step"`
	OursGFLOPS         float64  `json:"ours_gflops"`
	TorchGFLOPS        *float64 `json:"torch_gflops"`
	OursPeakShare      float64  `json:"ours_peak_share"`
	TorchPeakShare     *float64 `json:"torch_peak_share"`
	Rounds             []Round  `json:"rounds"`
}

const ratioDefinition = "PyTorch time per sample / ours (>1: logitlab faster); median over rounds of ours/PyTorch-best samples/s measured back to back"

func toJSON(rep report) jsonReport {
	j := jsonReport{
		Rounds: rep.Rounds, PeakGFLOPS: rep.Peak.GFLOPS(), PeakFormula: rep.Peak.Formula(), Peak: rep.Peak,
		Ours: rep.OursNote, Torch: rep.Torch, RatioDefinition: ratioDefinition, Workloads: []jsonWorkload{},
		Errors: rep.Errors,
	}
	for _, r := range rep.Results {
		w := jsonWorkload{
			Name: r.Name, About: r.About, OursSamplesPerSec: r.OursSamplesPerSec, OursPeakRSSMB: r.OursPeakRSSMB,
			SamplesPerStep: r.SamplesPerStep, FLOPsPerStep: r.FLOPsPerStep, OursGFLOPS: r.OursGFLOPS,
			OursPeakShare: r.OursPeakShare, Rounds: r.Rounds,
		}
		if r.TorchRan {
			w.TorchSamplesPerSec, w.Ratio, w.TorchPeakRSSMB = ptr(r.TorchSamplesPerSec), ptr(r.Ratio), ptr(r.TorchPeakRSSMB)
			w.TorchGFLOPS, w.TorchPeakShare = ptr(r.TorchGFLOPS), ptr(r.TorchPeakShare)
		}
		j.Workloads = append(j.Workloads, w)
	}
	return j
}

func ptr(f float64) *float64 { return &f }

func writeJSON(w io.Writer, rep report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(toJSON(rep))
}

func writeTable(w io.Writer, rep report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "logitlab bench: %d round(s), interleaved; each number is the median over rounds\n", rep.Rounds)
	fmt.Fprintf(&b, "machine fp32 peak: %s\n", rep.Peak.Formula())
	if rep.Peak.Model != "" {
		fmt.Fprintf(&b, "  cpu: %s; FLOP/cycle assumes 2 FMA units per core\n", rep.Peak.Model)
	}
	if rep.OursNote != "" {
		fmt.Fprintf(&b, "ours: %s\n", rep.OursNote)
	}
	if t := rep.Torch; t != nil {
		if t.Available {
			core := t.OpenBLASCore
			if core == "" {
				core = "unknown"
			}
			fmt.Fprintf(&b, "PyTorch %s (%s), OpenBLAS core %s, env %s; best of threads per round\n",
				t.Version, t.Python, core, strings.Join(t.Env, " "))
		} else {
			fmt.Fprintf(&b, "PyTorch: not run: %s\n", t.Note)
		}
	}
	b.WriteString("\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "workload\tours samples/s\tPyTorch samples/s\tratio\tours GFLOP/s\t% peak\tPyTorch GFLOP/s\t% peak\tours RSS MB\tPyTorch RSS MB\t")
	for _, r := range rep.Results {
		torchSPS, ratio, tg, tshare, trss := "–", "–", "–", "–", "–"
		if r.TorchRan {
			torchSPS = fmt.Sprintf("%.1f", r.TorchSamplesPerSec)
			ratio = fmt.Sprintf("%.2f×", r.Ratio)
			tg = fmt.Sprintf("%.2f", r.TorchGFLOPS)
			tshare = fmt.Sprintf("%.1f%%", 100*r.TorchPeakShare)
			trss = fmt.Sprintf("%.0f", r.TorchPeakRSSMB)
		}
		og, oshare := "–", "–"
		if r.FLOPsPerStep > 0 {
			og, oshare = fmt.Sprintf("%.2f", r.OursGFLOPS), fmt.Sprintf("%.1f%%", 100*r.OursPeakShare)
		} else {
			tg, tshare = "–", "–"
		}
		fmt.Fprintf(tw, "%s\t%.1f\t%s\t%s\t%s\t%s\t%s\t%s\t%.0f\t%s\t\n",
			r.Name, r.OursSamplesPerSec, torchSPS, ratio, og, oshare, tg, tshare, r.OursPeakRSSMB, trss)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\nratio: " + ratioDefinition + ".\n")
	b.WriteString("GFLOP/s: model FLOPs (GEMM/conv multiply-adds × 2, forward + backward products) × samples/s.\n")
	for _, r := range rep.Results {
		fmt.Fprintf(&b, "%s: %s; per round ours/PyTorch:", r.Name, r.About)
		for _, rd := range r.Rounds {
			fmt.Fprintf(&b, " %.1f", rd.Ours.SamplesPerSec)
			if t, ok := rd.TorchBest(); ok {
				fmt.Fprintf(&b, "/%.1f(%dt)", t.SamplesPerSec, t.Threads)
			}
		}
		b.WriteString("\n")
		for i, rd := range r.Rounds {
			if rd.TorchErr != "" {
				fmt.Fprintf(&b, "  round %d PyTorch error: %s\n", i+1, truncate(rd.TorchErr, 400))
			}
		}
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(&b, "FAILED: %s\n", e)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
