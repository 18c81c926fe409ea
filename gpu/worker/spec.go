package worker

import (
	"sort"
	"strconv"

	"github.com/gradcheck/gradcheck/formulas"
	"go.yaml.in/yaml/v3"
)

// SpecYAML writes claim c as a YAML spec of one formula, which
// formulas.LoadSpec reads back into the same claim: the text of a Request.
func SpecYAML(c *formulas.Claim) ([]byte, error) {
	m := mapping()
	add := func(key string, value *yaml.Node) { m.Content = append(m.Content, scalar(key), value) }
	add("name", scalar(c.Name))
	add("f", scalar(c.FText))
	if c.Wrt != "" {
		add("wrt", scalar(c.Wrt))
	}
	add(string(c.Kind), scalar(c.RhsText))
	if c.Layout != "" {
		add("layout", scalar(string(c.Layout)))
	}
	if len(c.Where) > 0 {
		defs := mapping()
		for _, d := range c.Where {
			defs.Content = append(defs.Content, scalar(d.Name), scalar(d.Text))
		}
		add("where", defs)
	}
	vars := mapping()
	for _, v := range c.Vars {
		decl := mapping()
		decl.Content = append(decl.Content, scalar("shape"), scalar(v.Dims[0]+","+v.Dims[1]))
		if v.Dist != "" {
			decl.Content = append(decl.Content, scalar("dist"), scalar(string(v.Dist)))
		}
		if v.SymSpace {
			decl.Content = append(decl.Content, scalar("space"), scalar("sym"))
		}
		vars.Content = append(vars.Content, scalar(v.Name), decl)
	}
	add("vars", vars)
	if len(c.Sizes) > 0 {
		names := make([]string, 0, len(c.Sizes))
		for name := range c.Sizes {
			names = append(names, name)
		}
		sort.Strings(names)
		sizes := mapping()
		for _, name := range names {
			sizes.Content = append(sizes.Content, scalar(name),
				&yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(c.Sizes[name])})
		}
		add("sizes", sizes)
	}
	if c.Source != "" {
		add("source", scalar(c.Source))
	}
	list := &yaml.Node{Kind: yaml.SequenceNode, Content: []*yaml.Node{m}}
	doc := mapping()
	doc.Content = append(doc.Content, scalar("formulas"), list)
	return yaml.Marshal(doc)
}

// mapping returns an empty YAML mapping.
func mapping() *yaml.Node { return &yaml.Node{Kind: yaml.MappingNode} }

// scalar returns a YAML string.
func scalar(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s} }
