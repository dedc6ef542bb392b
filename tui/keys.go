package tui

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"charm.land/bubbles/v2/key"

	"github.com/logitlab/logitlab/internal/config"
)

// KeysError reports one problem with a tui.keys value.
type KeysError struct {
	Item string // the offending "action=keys" item, or the key bound twice
	Msg  string // what is wrong and what is allowed
}

func (e *KeysError) Error() string { return fmt.Sprintf("tui.keys: %q: %s", e.Item, e.Msg) }

// CheckKeys reports whether spec, a value of the tui.keys setting, can be used; the error joins one
// *KeysError per problem. The value is comma-separated action=keys items, several keys of one action
// split by spaces ("pause=p space,stop=x,zoom=z"); an item replaces all default keys of its action.
// Actions are those of the `?` help: up, down, pause, stop, checkpoint, lr_up, lr_down, steer, new,
// smooth, logy, next, prev, zoom, older, newer, help, quit. Keys are one printable character other
// than a comma or a space, or a named key such as space, tab, enter, up, f5, ctrl+x, alt+x. After the
// remaps no key may be bound to two actions. The comma cannot be bound.
func CheckKeys(spec string) error {
	_, err := newKeyMap(true, spec)
	return err
}

// remapItem is one parsed "action=keys" item.
type remapItem struct {
	item   string
	action string
	keys   []string
}

// parseKeys splits a tui.keys value into its items and checks each on its own.
func parseKeys(spec string) ([]remapItem, error) {
	var out []remapItem
	var errs []error
	names := map[string]bool{}
	var all []string
	for _, a := range (&keyMap{}).actions() {
		names[a.name] = true
		all = append(all, a.name)
	}
	seen := map[string]bool{}
	for _, item := range strings.Split(spec, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		act, keys, ok := strings.Cut(item, "=")
		act = strings.TrimSpace(act)
		if !ok {
			errs = append(errs, &KeysError{item, "want action=key, such as pause=p"})
			continue
		}
		if !names[act] {
			msg := "unknown action; the actions are " + strings.Join(all, ", ")
			if s, ok := closest(act, all); ok {
				msg = "unknown action: did you mean " + s + "?"
			}
			errs = append(errs, &KeysError{item, msg})
			continue
		}
		if seen[act] {
			errs = append(errs, &KeysError{item, act + " is remapped twice; give all its keys in one item, split by spaces"})
			continue
		}
		seen[act] = true
		ks := strings.Fields(keys)
		if len(ks) == 0 {
			errs = append(errs, &KeysError{item, "no key given for " + act})
			continue
		}
		bad := false
		for _, k := range ks {
			if msg := checkKey(k); msg != "" {
				errs = append(errs, &KeysError{item, fmt.Sprintf("key %q %s", k, msg)})
				bad = true
			}
		}
		if !bad {
			out = append(out, remapItem{item: item, action: act, keys: ks})
		}
	}
	return out, errors.Join(errs...)
}

// remap applies the items to k, relabels the remapped bindings' help, and checks that no key is
// bound to two actions.
func (k *keyMap) remap(items []remapItem) error {
	acts := k.actions()
	for _, it := range items {
		for _, a := range acts {
			if a.name == it.action {
				desc := a.b.Help().Desc
				*a.b = key.NewBinding(key.WithKeys(it.keys...), key.WithHelp(keyLabel(it.keys), desc))
			}
		}
	}
	owner := map[string]string{}
	var errs []error
	for _, a := range acts {
		for _, kk := range a.b.Keys() {
			if o, dup := owner[kk]; dup {
				errs = append(errs, &KeysError{kk, fmt.Sprintf("bound to both %s and %s: remap one of them too", o, a.name)})
				continue
			}
			owner[kk] = a.name
		}
	}
	return errors.Join(errs...)
}

// namedKeys are the key names Bubble Tea reports (KeyPressMsg.String) that tui.keys accepts.
func namedKeys() []string {
	return []string{
		"space", "tab", "enter", "backspace", "delete", "insert", "up", "down", "left", "right",
		"home", "end", "pgup", "pgdown", "f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9", "f10",
		"f11", "f12",
	}
}

// checkKey says why k cannot be bound, or "".
func checkKey(k string) string {
	if k == "esc" {
		return "closes overlays and cannot be bound"
	}
	base := k
	for _, mod := range []string{"ctrl+", "alt+", "shift+"} {
		if strings.HasPrefix(base, mod) && len(base) > len(mod) {
			base = strings.TrimPrefix(base, mod)
		}
	}
	if utf8.RuneCountInString(base) == 1 {
		r, _ := utf8.DecodeRuneInString(base)
		if r > ' ' && r != 0x7f {
			return ""
		}
	}
	names := namedKeys()
	for _, n := range names {
		if base == n {
			return ""
		}
	}
	return "is not a key: use one character other than a comma, or a name (" + strings.Join(names[:14], ", ") + ", f1…f12), with ctrl+, alt+ or shift+ if needed"
}

// keyLabel is the help label of a remapped binding: its keys, arrows drawn as arrows.
func keyLabel(keys []string) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		switch k {
		case "up":
			k = "↑"
		case "down":
			k = "↓"
		case "left":
			k = "←"
		case "right":
			k = "→"
		case "shift+tab":
			k = "⇧tab"
		}
		out[i] = k
	}
	return strings.Join(out, "/")
}

// closest returns the candidate nearest to s by edit distance, when it is near enough (at most a
// third of its letters differ).
func closest(s string, candidates []string) (string, bool) {
	best, bestD := "", len(s)/3+1
	sorted := append([]string(nil), candidates...)
	sort.Strings(sorted)
	for _, c := range sorted {
		if d := config.EditDistance(s, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best, best != ""
}
