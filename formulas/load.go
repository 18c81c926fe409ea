package formulas

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/gradcheck/gradcheck/internal/wholefile"
)

// Keys of a spec file, in documentation order.
var (
	topKeys     = []string{"formulas"}
	formulaKeys = []string{"name", "f", "wrt", "grad", "diff", "jac", "hess", "equals", "layout", "where", "vars", "sizes", "source"}
	varKeys     = []string{"shape", "dist", "space"}
)

// LoadSpec reads the claims of a YAML spec file (DESIGN.md, "Claims"):
//
//	formulas:
//	  - name: logdet
//	    f: logdet(X)
//	    wrt: X
//	    grad: inv(X)'
//	    vars:
//	      X: {shape: "n,n", dist: spd}
//	    sizes: {n: 6}
//	    source: "Matrix cookbook (2012), eq. 57"
//
// A variable may also be declared by its shape alone (x: n). filename is
// used in error messages only. Errors are one line and start with
// "filename:line: ", as in
//
//	spec.yaml:7: unknown key "gard" in formula "logdet" (did you mean grad?)
//
// Unknown keys, malformed YAML, an empty file, duplicate formula names and
// every error of Build are reported; the first error stops the load.
func LoadSpec(filename string, data []byte) ([]*Claim, error) {
	return allValid(LoadSpecAt(filename, data, LoadOptions{}))
}

// allValid returns claims, or err, or else the reason of the first claim
// that is invalid.
func allValid(claims []*Claim, err error) ([]*Claim, error) {
	if err != nil {
		return nil, err
	}
	for _, c := range claims {
		if c.Invalid != nil {
			return nil, c.Invalid
		}
	}
	return claims, nil
}

// ReadSpec reads the spec file path and loads its formulas as LoadSpec
// does.
func ReadSpec(path string) ([]*Claim, error) {
	data, err := ReadSpecFile(path)
	if err != nil {
		return nil, err
	}
	return LoadSpec(path, data)
}

// ReadSpecFile returns the contents of the spec file path; an error where
// it cannot be read or holds more than MaxSpecBytes, which it finds
// without reading more than that: --spec /dev/zero read until the process
// ran out of memory.
func ReadSpecFile(path string) ([]byte, error) {
	data, err := wholefile.Read(path, MaxSpecBytes)
	return specData(data, err)
}

// ReadSpecFrom is ReadSpecFile of r, named name in its errors: the spec
// file of --spec -, stdin.
func ReadSpecFrom(r io.Reader, name string) ([]byte, error) {
	data, err := wholefile.ReadFrom(r, name, MaxSpecBytes)
	if err != nil && !errors.As(err, new(*wholefile.TooLargeError)) {
		err = fmt.Errorf("%s: %w", name, err)
	}
	return specData(data, err)
}

// specData is the outcome of reading a spec file, its errors worded.
func specData(data []byte, err error) ([]byte, error) {
	var large *wholefile.TooLargeError
	switch {
	case errors.As(err, &large):
		return nil, fmt.Errorf("spec file %v; split the claims over several files (--spec may repeat)", err)
	case err != nil:
		return nil, fmt.Errorf("cannot read spec file: %v", err)
	}
	return data, nil
}

// MaxSpecBytes bounds the size of a spec file: its YAML node tree takes
// about 30 times the file in memory (some 500 MB at the bound), and 16 MiB
// hold some 60,000 claims. A larger set of claims goes in several files.
const MaxSpecBytes = 16 << 20

// LoadOptions select and size the claims LoadSpecAt builds.
type LoadOptions struct {
	// Sizes are the sizes in force (as from --size) over the claims' own
	// and the defaults, at which each claim is shape-checked.
	Sizes map[string]int
	// Select, when set, chooses the formulas to build by name; the others
	// are skipped unread (their mistakes too), so that picking one claim
	// of a large file costs little beyond reading the YAML.
	Select func(name string) bool
}

// LoadSpecAt reads the formulas of a spec file as LoadSpec does, those
// that opt.Select chooses, shape-checked at opt.Sizes so that a shape
// error quotes the sizes in force, and
// keeps going past a formula that cannot be verified: such a formula (it
// does not parse or type-check, has an unknown key or function, a dist
// that does not fit its shape, a name already taken) is returned in its
// place as a claim whose Invalid says why, "file:line: ...", so that one
// bad claim neither hides the others nor stops them. err reports a file
// that is not a list of formulas at all (malformed YAML, no "formulas:").
func LoadSpecAt(filename string, data []byte, opt LoadOptions) ([]*Claim, error) {
	if len(data) > MaxSpecBytes {
		return nil, fmt.Errorf("%s: %d MiB, more than the %d MiB a spec file may have; split the claims over several files (--spec may repeat)",
			filename, len(data)>>20, MaxSpecBytes>>20)
	}
	l := &loader{file: filename, data: data}
	root, err := l.decode(data)
	if err != nil {
		return nil, err
	}
	if root == nil {
		return nil, fmt.Errorf("%s: empty file (want a \"formulas:\" list)", filename)
	}
	if root.Kind != yaml.MappingNode {
		return nil, l.errf(root, "want a mapping with a \"formulas:\" list, got %s", kindName(root))
	}
	pairs, err := l.pairs(root, "at the top level")
	if err != nil {
		return nil, err
	}
	var list *yaml.Node
	for _, p := range pairs {
		if p.key != "formulas" {
			return nil, l.unknownKey(p.keyNode, p.key, "at the top level", topKeys)
		}
		list = p.val
	}
	if list == nil {
		return nil, l.errf(root, "no formulas (want a \"formulas:\" list)")
	}
	if isNull(list) || list.Kind == yaml.SequenceNode && len(list.Content) == 0 {
		return nil, l.errf(list, "no formulas in the \"formulas:\" list")
	}
	if list.Kind != yaml.SequenceNode {
		return nil, l.errf(list, "formulas must be a list (- name: ...), got %s", kindName(list))
	}
	var claims []*Claim
	firstLine := make(map[string]int)
	for _, item := range list.Content {
		item = resolve(item)
		name := formulaName(item)
		if opt.Select != nil && !opt.Select(cmp.Or(name, l.standIn(item))) {
			// (A formula without a name goes by its stand-in, file:line,
			// which its re-run command selects.)
			continue
		}
		spec, err := l.formula(item)
		var c *Claim
		if err == nil {
			if c, err = BuildAt(spec, opt.Sizes); err != nil {
				err = l.buildError(item, spec, err)
			}
		}
		if line, ok := firstLine[name]; ok && err == nil {
			err = l.errf(item, "duplicate formula name %q (first at line %d)", name, line)
		}
		if name != "" && firstLine[name] == 0 {
			firstLine[name] = item.Line
		}
		if err != nil {
			c = l.invalid(item, spec, err)
		}
		claims = append(claims, c)
	}
	return claims, nil
}

// invalid returns the stand-in for a formula that cannot be verified: its
// name (else "file:line"), kind and text as far as they were read, and the
// reason.
func (l *loader) invalid(n *yaml.Node, s Spec, err error) *Claim {
	c := &Claim{Name: cmp.Or(formulaName(n), l.standIn(n)), FText: s.F, Wrt: s.Wrt, Source: s.Source, Invalid: err}
	if kinds, texts := s.claimText(); len(kinds) == 1 {
		c.Kind, c.RhsText = kinds[0], texts[0]
	}
	return c
}

// standIn is the name of the formula n that has none: "file:line", the
// file's path cleaned as a re-run command's --spec is, so that the
// command selects it again.
func (l *loader) standIn(n *yaml.Node) string {
	return fmt.Sprintf("%s:%d", filepath.Clean(l.file), n.Line)
}

// formulaName returns the name of a formula entry, "" if it has none.
func formulaName(n *yaml.Node) string {
	if v := fieldValue(n, "name"); v != nil && v.Kind == yaml.ScalarNode && !isNull(v) {
		return v.Value
	}
	return ""
}

// fieldValue returns the value of key in the mapping n, or nil.
func fieldValue(n *yaml.Node, key string) *yaml.Node {
	_, v := fieldNodes(n, key)
	return v
}

// fieldNodes returns the key node and the value of key in the mapping n,
// or nil and nil.
func fieldNodes(n *yaml.Node, key string) (k, v *yaml.Node) {
	return findField(n, key, 0, make(map[*yaml.Node]bool))
}

// findField is fieldNodes looking into the mappings that n merges (<<:
// *base), depth merges deep; a key of n itself wins over a merged one, as
// an earlier merged mapping does over a later one. A mapping in seen is
// not looked into again: merged twice, it says nothing new the second
// time, and a file of mappings that each merge the one before twice
// would otherwise take exponential time.
func findField(n *yaml.Node, key string, depth int, seen map[*yaml.Node]bool) (k, v *yaml.Node) {
	if n == nil || n.Kind != yaml.MappingNode || depth > maxMergeDepth || seen[n] {
		return nil, nil
	}
	seen[n] = true
	var merged []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		k := resolve(n.Content[i])
		switch {
		case isMergeKey(k):
			merged = append(merged, mergedMappings(resolve(n.Content[i+1]))...)
		case k != nil && k.Kind == yaml.ScalarNode && k.Value == key:
			return k, resolve(n.Content[i+1])
		}
	}
	for _, m := range merged {
		if k, v := findField(m, key, depth+1, seen); k != nil {
			return k, v
		}
	}
	return nil, nil
}

// maxMergeDepth bounds how deep merges (<<: *a, where a merges another
// mapping) are followed.
const maxMergeDepth = 100

// isMergeKey reports whether k is YAML's merge key, a plain <<.
func isMergeKey(k *yaml.Node) bool {
	return k != nil && k.Kind == yaml.ScalarNode && k.Value == "<<" && k.Tag == "!!merge"
}

// mergedMappings returns the mappings that the value of a merge key
// names: one mapping, or a list of them (aliases resolved); nil for any
// other value.
func mergedMappings(v *yaml.Node) []*yaml.Node {
	switch {
	case v != nil && v.Kind == yaml.MappingNode:
		return []*yaml.Node{v}
	case v != nil && v.Kind == yaml.SequenceNode:
		var ms []*yaml.Node
		for _, e := range v.Content {
			e = resolve(e)
			if e == nil || e.Kind != yaml.MappingNode {
				return nil
			}
			ms = append(ms, e)
		}
		return ms
	}
	return nil
}

// loader reports errors against one file.
type loader struct {
	file string
	data []byte
	// lines are data's lines, split when an error first needs them.
	lines []string
}

// buildError places err, the error of BuildAt for the formula n read as
// s, in the file: where err is about the expression of one field (f,
// grad, ...), at the line of that field's value and, where the file shows
// the expression as it is, at the column of the error within it; where it
// is about a field whose value is a mapping (sizes), at the line of the
// field's key; else at the line of the formula.
func (l *loader) buildError(n *yaml.Node, s Spec, err error) error {
	field, at := exprField(s, err)
	k, v := fieldNodes(n, field)
	if name, ok := strings.CutPrefix(field, "where "); ok {
		// A definition's value, in the where mapping.
		k, v = fieldNodes(fieldValue(n, "where"), name)
	}
	switch {
	case field == "" || v == nil:
		return l.errf(n, "%v", err)
	case v.Kind != yaml.ScalarNode:
		return l.errf(k, "%v", err)
	}
	line, col := l.position(v, at)
	if col == 0 {
		return fmt.Errorf("%s:%d: %v", l.file, line, err)
	}
	return fmt.Errorf("%s:%d:%d: %v", l.file, line, col, err)
}

// exprField returns the field of s ("f", "grad", ...) whose expression
// err, an error of BuildAt(s, ...), is about, and the position of the
// error in that expression; "" when err is about no one expression.
// BuildAt parses f, then the claim, and then checks their shapes, so a
// field that does not parse is the one at fault.
func exprField(s Spec, err error) (field string, at Pos) {
	if s.Name == "" {
		return "", Pos{}
	}
	var pe *Error
	if _, perr := Parse(s.F); errors.As(perr, &pe) {
		return "f", pe.Pos
	}
	if kinds, texts := s.claimText(); len(kinds) == 1 {
		if _, perr := Parse(texts[0]); errors.As(perr, &pe) {
			return string(kinds[0]), pe.Pos
		}
	}
	var fe *fieldError
	if !errors.As(err, &fe) {
		return "", Pos{}
	}
	if errors.As(fe.err, &pe) {
		return fe.field, pe.Pos
	}
	return fe.field, Pos{}
}

// line returns line n (from 1) of the file, without its line end, or "".
func (l *loader) line(n int) string {
	if l.lines == nil {
		l.lines = strings.Split(string(l.data), "\n")
	}
	if n < 1 || n > len(l.lines) {
		return ""
	}
	return strings.TrimSuffix(l.lines[n-1], "\r")
}

// position returns the line and column in the file of position at in the
// text of the scalar node v, found by reading the file from where v's text
// starts and matching it character by character, a run of white space
// (a line folded, a block's indentation) to a run: plain and quoted
// scalars on one line or folded over several, literal (|) and folded (>)
// blocks. A position past the end of the text is just after it (an
// expression cut short). The column is 0, and the line v's, where the file
// does not show the text as it is (an escape).
func (l *loader) position(v *yaml.Node, at Pos) (line, col int) {
	if at.Line < 1 || at.Col < 1 {
		return v.Line, 0
	}
	// The file, as runes, from where v's text starts.
	line, col = v.Line, v.Column
	switch v.Style {
	case yaml.DoubleQuotedStyle, yaml.SingleQuotedStyle:
		col++
	case yaml.LiteralStyle, yaml.FoldedStyle:
		line, col = v.Line+1, 1
	}
	file := []rune(l.line(line))
	if col < 1 || col > len(file)+1 {
		return v.Line, 0
	}
	file = file[col-1:]
	// next moves the file cursor one rune on, to the next line at the end
	// of one; it reports false at the end of the file.
	next := func() bool {
		if len(file) > 0 {
			file, col = file[1:], col+1
			return true
		}
		if line >= len(l.lines) {
			return false
		}
		line, col = line+1, 1
		file = []rune(l.line(line))
		return true
	}
	for v.Style == yaml.LiteralStyle || v.Style == yaml.FoldedStyle {
		// A block's first line is indented.
		if len(file) > 0 && !unicode.IsSpace(file[0]) || !next() {
			break
		}
	}
	atLine, atCol := 1, 1        // the position in the text of the rune matched next
	endLine, endCol := line, col // in the file, just after the last rune matched
	text := []rune(v.Value)
	for i := 0; i < len(text); {
		if atLine == at.Line && atCol == at.Col {
			return line, col
		}
		if unicode.IsSpace(text[i]) {
			// A run of white space in the text matches a run in the
			// file, newlines and indentation included.
			for ; i < len(text) && unicode.IsSpace(text[i]); i++ {
				if text[i] == '\n' {
					atLine, atCol = atLine+1, 1
				} else {
					atCol++
				}
				if atLine == at.Line && atCol == at.Col && i+1 < len(text) && !unicode.IsSpace(text[i+1]) {
					break
				}
			}
			if i == len(text) {
				break // a final newline
			}
			for len(file) == 0 || unicode.IsSpace(file[0]) {
				if !next() {
					return v.Line, 0
				}
			}
			continue
		}
		if len(file) == 0 || file[0] != text[i] {
			return v.Line, 0 // an escape, or not this text
		}
		i, atCol = i+1, atCol+1
		next()
		endLine, endCol = line, col
	}
	if atLine > at.Line || atLine == at.Line && atCol < at.Col {
		return v.Line, 0
	}
	return endLine, endCol // just after the text
}

// yamlLine matches the position prefix of a YAML parser message.
var yamlLine = regexp.MustCompile(`^line (\d+): (.*)$`)

// decode parses data and returns the root node of its single document, or
// nil for a file without content.
func (l *loader) decode(data []byte) (root *yaml.Node, err error) {
	defer func() {
		// The YAML parser is not ours; never let a bug in it crash a run.
		if r := recover(); r != nil {
			root, err = nil, fmt.Errorf("%s: cannot parse YAML: %v", l.file, r)
		}
	}()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, l.yamlError(err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, l.yamlError(err)
		}
		return nil, l.errf(&extra, "more than one YAML document (remove the ---)")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	root = resolve(doc.Content[0])
	if isNull(root) {
		return nil, nil
	}
	return root, nil
}

// yamlError rewrites a message of the YAML parser as "file:line: msg". The
// parser gives no line for a byte that is not UTF-8 or a control character
// YAML does not allow (NUL, ESC, ...): that message names the character
// and its line:column instead.
func (l *loader) yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	msg = strings.Join(strings.Fields(msg), " ")
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if strings.Contains(m[2], "found character that cannot start any token") && l.tabAt(m[1]) {
			return fmt.Errorf("%s:%s: %s: a tab (YAML indents with spaces)", l.file, m[1], m[2])
		}
		if strings.Contains(m[2], "found unknown escape character") {
			// "K\y" in double quotes (found by the statistician's
			// walkthrough).
			return fmt.Errorf(`%s:%s: %s: in double quotes a backslash starts an escape: write \\ for one (A\\b), or quote the expression with ' ' ('A\b')`, l.file, m[1], m[2])
		}
		return fmt.Errorf("%s:%s: %s", l.file, m[1], m[2])
	}
	if pos, what, ok := badChar(l.data); ok {
		return fmt.Errorf("%s:%s: %s", l.file, pos, what)
	}
	return fmt.Errorf("%s: %s", l.file, msg)
}

// tabAt reports whether line (a 1-based number, as text) of the file
// starts its indentation with a tab.
func (l *loader) tabAt(line string) bool {
	n, err := strconv.Atoi(line)
	if err != nil {
		return false
	}
	text := l.line(n)
	return strings.Contains(text[:len(text)-len(strings.TrimLeft(text, " \t"))], "\t")
}

// badChar finds the first byte of a UTF-8 file that is not UTF-8, or the
// first character that YAML does not allow (a control character other
// than tab, line feed and carriage return, DEL, a C1 control other than
// NEL, U+FFFE or U+FFFF), and says where it is and what it is, as in
// ("3:9", "byte 0xff is not UTF-8 (a spec file is UTF-8)"). A file that
// starts with a UTF-16 byte order mark is not searched.
func badChar(data []byte) (Pos, string, bool) {
	if bytes.HasPrefix(data, []byte{0xfe, 0xff}) || bytes.HasPrefix(data, []byte{0xff, 0xfe}) {
		return Pos{}, "", false
	}
	pos := Pos{Line: 1, Col: 1}
	for i := 0; i < len(data); {
		r, width := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && width <= 1:
			return pos, fmt.Sprintf("byte 0x%02x is not UTF-8 (a spec file is UTF-8)", data[i]), true
		case r < 0x20 && r != '\t' && r != '\n' && r != '\r', r == 0x7f, r >= 0x80 && r <= 0x9f && r != 0x85, r == 0xfffe, r == 0xffff:
			return pos, fmt.Sprintf("control character %U is not allowed in YAML", r), true
		case r == '\n':
			pos.Line, pos.Col = pos.Line+1, 0
		}
		pos.Col++
		i += width
	}
	return Pos{}, "", false
}

// errf formats an error at the line of n.
func (l *loader) errf(n *yaml.Node, format string, args ...any) error {
	msg := fmt.Sprintf(format, args...)
	if n == nil || n.Line == 0 {
		return fmt.Errorf("%s: %s", l.file, msg)
	}
	return fmt.Errorf("%s:%d: %s", l.file, n.Line, msg)
}

// unknownKey reports key, suggesting the closest of known.
func (l *loader) unknownKey(n *yaml.Node, key, where string, known []string) error {
	return l.errf(n, "unknown key %q %s (%s)", key, where, keyHint(badKey{key: key, known: known}))
}

// declaresVariable reports whether n, the value of an unknown key of a
// formula, reads as a variable's declaration ({shape: ...}): a variable
// indented at the level of vars: instead of under it (found by the
// walkthrough).
func declaresVariable(n *yaml.Node) bool {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i].Value; k == "shape" || k == "dist" {
			return true
		}
	}
	return false
}

// keyHint suggests the closest of the known keys for an unknown key, or
// says that it declares a variable outside vars:, or lists them.
func keyHint(k badKey) string {
	key, known := k.key, k.known
	if k.variable {
		return "a variable? indent it under vars:"
	}
	if k.flow && strings.ContainsAny(key, "()") {
		// {grad: ones(n,n)}: YAML splits a flow mapping at the comma.
		return `the rest of an expression cut at a comma: in { … } quote an expression that has one, as "ones(n, n)"`
	}
	if s := Suggest(key, known); s != "" {
		return "did you mean " + s + "?"
	}
	return "known keys: " + strings.Join(known, ", ")
}

// badKey is an unknown key of a formula or of one of its variables.
type badKey struct {
	node *yaml.Node
	key  string
	// in is "" for a key of the formula, "in variable X" for one of X.
	in    string
	known []string
	// variable is set where the key's value declares a variable (see
	// declaresVariable).
	variable bool
	// flow is set for a key of a flow mapping, { … }, which YAML splits
	// at a comma.
	flow bool
}

// unknownKeys reports every unknown key of the formula that where names
// in one error, at the line of the first: one typo need not hide the
// next.
func (l *loader) unknownKeys(where string, keys []badKey) error {
	if len(keys) == 1 {
		k := keys[0]
		if k.in != "" {
			where = k.in + " of " + strings.TrimPrefix(where, "in ")
		}
		return l.errf(k.node, "unknown key %q %s (%s)", k.key, where, keyHint(k))
	}
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%q at line %d", k.key, k.node.Line)
		if k.in != "" {
			parts[i] += " " + k.in
		}
		parts[i] += " (" + keyHint(k) + ")"
	}
	list := strings.Join(parts[:len(parts)-1], ", ") + " and " + parts[len(parts)-1]
	return l.errf(keys[0].node, "unknown keys %s: %s", where, list)
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 100; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n == nil || n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// kindName describes a node for an error message.
func kindName(n *yaml.Node) string {
	switch {
	case n == nil:
		return "nothing"
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "null"
	case n.Kind == yaml.ScalarNode:
		return strconv.Quote(shorten(n.Value))
	}
	return "an alias"
}

// quoteName writes a key of the file for an error message: as it is when
// it is a name (X, n), else quoted as a Go string ("0\n0"), so that every
// message stays one line and shows no control character raw.
func quoteName(s string) string {
	if isIdent(s) {
		return s
	}
	return strconv.Quote(s)
}

// shorten cuts s to at most 40 characters for an error message.
func shorten(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:37]) + "..."
	}
	return s
}

// pair is one key: value entry of a mapping.
type pair struct {
	key     string
	keyNode *yaml.Node
	val     *yaml.Node
}

// pairs returns the entries of the mapping n in order, rejecting keys that
// are not strings and duplicate keys. A merge key (<<: *base, or <<: [*a,
// *b]) stands for the entries of the mappings it names that n does not
// give itself, an earlier mapping's winning over a later one's, as YAML
// merges them.
func (l *loader) pairs(n *yaml.Node, where string) ([]pair, error) {
	return l.mergedPairs(n, where, 0, make(map[*yaml.Node]bool))
}

// mergedPairs is pairs for a mapping depth merges deep, skipping the
// mappings already merged (in merged), as findField does.
func (l *loader) mergedPairs(n *yaml.Node, where string, depth int, merged map[*yaml.Node]bool) ([]pair, error) {
	if depth > maxMergeDepth {
		return nil, l.errf(n, "merges (<<) nested more than %d deep %s", maxMergeDepth, where)
	}
	var ps []pair
	seen := make(map[string]int)
	before := make(map[int][]pair) // merged entries, by the index in ps they go before
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), resolve(n.Content[i+1])
		if isMergeKey(k) {
			ms := mergedMappings(v)
			if ms == nil {
				return nil, l.errf(k, "<< %s must merge a mapping or a list of mappings (<<: *base), got %s", where, kindName(v))
			}
			for _, m := range ms {
				if merged[m] {
					continue
				}
				merged[m] = true
				mps, err := l.mergedPairs(m, where, depth+1, merged)
				if err != nil {
					return nil, err
				}
				before[len(ps)] = append(before[len(ps)], mps...)
			}
			continue
		}
		if k == nil || k.Kind != yaml.ScalarNode {
			return nil, l.errf(n.Content[i], "keys must be names, got %s %s", kindName(k), where)
		}
		if line, ok := seen[k.Value]; ok {
			return nil, l.errf(k, "duplicate key %q %s (first at line %d)", k.Value, where, line)
		}
		seen[k.Value] = k.Line
		ps = append(ps, pair{key: k.Value, keyNode: k, val: v})
	}
	if len(before) == 0 {
		return ps, nil
	}
	// The merged entries in the place of their <<, those of n and of
	// earlier mappings first.
	taken := make(map[string]bool, len(ps))
	for _, p := range ps {
		taken[p.key] = true
	}
	var all []pair
	for i := 0; i <= len(ps); i++ {
		for _, p := range before[i] {
			if !taken[p.key] {
				taken[p.key] = true
				all = append(all, p)
			}
		}
		if i < len(ps) {
			all = append(all, ps[i])
		}
	}
	return all, nil
}

// scalar returns the text of a scalar node; null is "".
func (l *loader) scalar(n *yaml.Node, what string) (string, error) {
	if isNull(n) {
		return "", nil
	}
	if n.Kind != yaml.ScalarNode {
		return "", l.errf(n, "%s must be a string, got %s", what, kindName(n))
	}
	return n.Value, nil
}

// formula reads one entry of the formulas list.
func (l *loader) formula(n *yaml.Node) (Spec, error) {
	var s Spec
	if n == nil || n.Kind != yaml.MappingNode {
		return s, l.errf(n, "a formula must be a mapping (name: ..., f: ...), got %s", kindName(n))
	}
	where := fmt.Sprintf("in the formula at line %d", n.Line)
	if name := formulaName(n); name != "" {
		where = fmt.Sprintf("in formula %q", name)
	}
	pairs, err := l.pairs(n, where)
	if err != nil {
		return s, err
	}
	fields := map[string]*string{
		"name": &s.Name, "f": &s.F, "wrt": &s.Wrt, "grad": &s.Grad, "diff": &s.Diff,
		"jac": &s.Jac, "hess": &s.Hess, "equals": &s.Equals, "layout": &s.Layout,
		"source": &s.Source,
	}
	var unknown []badKey
	for _, p := range pairs {
		if dst, ok := fields[p.key]; ok {
			v, err := l.scalar(p.val, fmt.Sprintf("%s %s", p.key, where))
			if err != nil {
				return s, err
			}
			*dst = v
			continue
		}
		switch p.key {
		case "vars":
			if s.Vars, err = l.vars(p.val, where, &unknown); err != nil {
				return s, err
			}
		case "sizes":
			if s.Sizes, err = l.sizes(p.val, where); err != nil {
				return s, err
			}
		case "where":
			if s.Where, err = l.definitions(p.val, where); err != nil {
				return s, err
			}
		default:
			unknown = append(unknown, badKey{node: p.keyNode, key: p.key, known: formulaKeys, variable: declaresVariable(p.val),
				flow: n.Style&yaml.FlowStyle != 0})
		}
	}
	if len(unknown) > 0 {
		return s, l.unknownKeys(where, unknown)
	}
	return s, nil
}

// vars reads the vars mapping of a formula, adding the keys of a variable
// that are unknown to unknown.
func (l *loader) vars(n *yaml.Node, where string, unknown *[]badKey) ([]SpecVar, error) {
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, l.errf(n, "vars %s must be a mapping (X: {shape: \"n,n\"}), got %s", where, kindName(n))
	}
	pairs, err := l.pairs(n, "in vars "+where)
	if err != nil {
		return nil, err
	}
	var vs []SpecVar
	for _, p := range pairs {
		v := SpecVar{Name: p.key}
		vwhere := fmt.Sprintf("in variable %s of %s", quoteName(p.key), strings.TrimPrefix(where, "in "))
		switch {
		case p.val != nil && p.val.Kind == yaml.ScalarNode && !isNull(p.val):
			if v.Shape, err = l.shape(p.val, vwhere); err != nil {
				return nil, err
			}
		case p.val != nil && p.val.Kind == yaml.SequenceNode:
			if v.Shape, err = l.shape(p.val, vwhere); err != nil {
				return nil, err
			}
		case p.val != nil && p.val.Kind == yaml.MappingNode:
			vp, err := l.pairs(p.val, vwhere)
			if err != nil {
				return nil, err
			}
			before := len(*unknown)
			var empty *pair // the first of dist and space given empty
			for _, q := range vp {
				var dst *string
				switch q.key {
				case "shape":
					if v.Shape, err = l.shape(q.val, vwhere); err != nil {
						return nil, err
					}
					continue
				case "dist":
					dst = &v.Dist
				case "space":
					dst = &v.Space
				default:
					*unknown = append(*unknown, badKey{node: q.keyNode, key: q.key, in: "in variable " + quoteName(p.key), known: varKeys})
					continue
				}
				if *dst, err = l.scalar(q.val, q.key+" "+vwhere); err != nil {
					return nil, err
				}
				if *dst == "" && empty == nil {
					empty = &q
				}
			}
			if empty != nil {
				return nil, l.emptyVarKey(*empty, v.Space, vwhere)
			}
			if v.Shape == "" && len(*unknown) == before {
				// (With an unknown key, which may be the shape
				// misspelt, that is the error.)
				return nil, l.errf(p.val, "no shape %s", vwhere)
			}
		default:
			return nil, l.errf(p.keyNode, "variable %s: want {shape: ..., dist: ...} or a shape, got %s", quoteName(p.key), kindName(p.val))
		}
		vs = append(vs, v)
	}
	return vs, nil
}

// emptyVarKey is the error for a variable's dist or space, q, written
// with no value ("", ~ or nothing): it was read as the default, gauss or
// no space, whatever the user meant to write there. space is the
// variable's space, which makes sym the default dist.
func (l *loader) emptyVarKey(q pair, space, where string) error {
	switch {
	case q.key == "space":
		return l.errf(q.keyNode, "space %s is empty; leave space out, or write space: sym for a claim about symmetric matrices", where)
	case space == "sym":
		return l.errf(q.keyNode, "dist %s is empty; leave dist out for sym (the default in space sym), or write dist: spd", where)
	}
	return l.errf(q.keyNode, "dist %s is empty; leave dist out for gauss, or name one of %s", where, strings.Join(distNames(), ", "))
}

// shape reads a variable's shape: a string ("n,n", "n", "1"), or a list
// of one or two dimensions ([n, n]), as a YAML user writes a tuple (it was
// "must be a string, got a list"). A number that is not a dimension (lam:
// 0.1) is a constant given as a variable, said so: it was "bad shape
// \"0.1\"" at the formula's line.
func (l *loader) shape(n *yaml.Node, where string) (string, error) {
	if n != nil && n.Kind == yaml.SequenceNode {
		var dims []string
		for _, d := range n.Content {
			if d.Kind != yaml.ScalarNode || isNull(d) {
				return "", l.errf(d, "shape %s: a dimension must be a size symbol or an integer, got %s", where, kindName(d))
			}
			dims = append(dims, d.Value)
		}
		if len(dims) < 1 || len(dims) > 2 {
			return "", l.errf(n, "shape %s: want 1 or 2 dimensions ([n] or [m, n]), got %d", where, len(dims))
		}
		return strings.Join(dims, ","), nil
	}
	v, err := l.scalar(n, "shape "+where)
	if err != nil {
		return "", err
	}
	if x, perr := strconv.ParseFloat(v, 64); perr == nil && !isCount(x) {
		return "", l.errf(n, "shape %s is the number %s: a variable is declared by its shape (\"1\" for a scalar); write a constant into the formula as a number", where, v)
	}
	return v, nil
}

// definitions reads the where mapping of a formula: names to
// expressions, in order.
func (l *loader) definitions(n *yaml.Node, where string) ([]Definition, error) {
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, l.errf(n, "where %s must be a mapping of names to expressions (r: A*x - b), got %s", where, kindName(n))
	}
	pairs, err := l.pairs(n, "in where "+where)
	if err != nil {
		return nil, err
	}
	defs := make([]Definition, len(pairs))
	for i, p := range pairs {
		text, err := l.scalar(p.val, fmt.Sprintf("definition %s %s", quoteName(p.key), where))
		if err != nil {
			return nil, err
		}
		defs[i] = Definition{Name: p.key, Text: text}
	}
	return defs, nil
}

// sizes reads the sizes mapping of a formula.
func (l *loader) sizes(n *yaml.Node, where string) (map[string]int, error) {
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.MappingNode {
		return nil, l.errf(n, "sizes %s must be a mapping ({n: 6}), got %s", where, kindName(n))
	}
	pairs, err := l.pairs(n, "in sizes "+where)
	if err != nil {
		return nil, err
	}
	m := make(map[string]int, len(pairs))
	for _, p := range pairs {
		if p.val == nil || p.val.Kind != yaml.ScalarNode {
			return nil, l.errf(p.keyNode, "size %s %s must be an integer, got %s", quoteName(p.key), where, kindName(p.val))
		}
		v, err := strconv.Atoi(p.val.Value)
		if errors.Is(err, strconv.ErrRange) {
			return nil, l.errf(p.val, "size %s %s is out of range: %s (sizes are from 1 to %d)", quoteName(p.key), where, p.val.Value, MaxSize)
		}
		if err != nil {
			return nil, l.errf(p.val, "size %s %s must be an integer, got %q", quoteName(p.key), where, p.val.Value)
		}
		m[p.key] = v
	}
	return m, nil
}
