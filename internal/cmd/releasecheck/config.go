package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"gopkg.in/yaml.v3"
)

// target is one GOOS/GOARCH pair of a release.
type target struct{ OS, Arch string }

func (t target) String() string { return t.OS + "/" + t.Arch }

func parseTarget(s string) (target, error) {
	os, arch, ok := strings.Cut(s, "/")
	if !ok || os == "" || arch == "" || strings.Contains(arch, "/") {
		return target{}, fmt.Errorf("target %q: want GOOS/GOARCH, such as linux/amd64", s)
	}
	return target{OS: os, Arch: arch}, nil
}

// releaseConfig is the part of .goreleaser.yml the check reads: the
// project's name, the targets of its builds and the files its release
// uploads beside them.
type releaseConfig struct {
	ProjectName string `yaml:"project_name"`
	Release     struct {
		ExtraFiles []extraFile `yaml:"extra_files"`
	} `yaml:"release"`
	Builds []struct {
		Goos   []string     `yaml:"goos"`
		Goarch []string     `yaml:"goarch"`
		Ignore []ignoreRule `yaml:"ignore"`
	} `yaml:"builds"`
}

// extraFile is a file of the repository a release uploads as it is.
type extraFile struct {
	Glob         string `yaml:"glob"`
	NameTemplate string `yaml:"name_template"`
}

// uploadName is the name under which a release uploads file
// (release.extra_files), its name_template rendered for version as
// goreleaser renders it (a Go template of .ProjectName and .Version); ""
// when the release does not upload it. A snapshot uploads nothing, so this
// is how the check sees the name the registry will get.
func (c releaseConfig) uploadName(file, version string) (string, error) {
	for _, f := range c.Release.ExtraFiles {
		if filepath.Clean(f.Glob) != file {
			continue
		}
		if f.NameTemplate == "" {
			return filepath.Base(file), nil
		}
		t, err := template.New("name_template").Option("missingkey=error").Parse(f.NameTemplate)
		if err != nil {
			return "", fmt.Errorf("release.extra_files %s: %w", file, err)
		}
		var b strings.Builder
		data := map[string]string{"ProjectName": c.ProjectName, "Version": version}
		if err := t.Execute(&b, data); err != nil {
			return "", fmt.Errorf("release.extra_files %s: %w (the check renders .ProjectName and .Version only)", file, err)
		}
		return b.String(), nil
	}
	return "", nil
}

// ignoreRule leaves out the targets it matches (an empty field matches any).
type ignoreRule struct {
	Goos   string `yaml:"goos"`
	Goarch string `yaml:"goarch"`
}

func (i ignoreRule) matches(t target) bool {
	return (i.Goos == "" || i.Goos == t.OS) && (i.Goarch == "" || i.Goarch == t.Arch)
}

func readConfig(path string) (releaseConfig, error) {
	var c releaseConfig
	b, err := os.ReadFile(path)
	if err != nil {
		return c, err
	}
	if err := yaml.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if len(c.Builds) == 0 {
		return c, fmt.Errorf("%s: no builds", path)
	}
	return c, nil
}

// targets are the GOOS/GOARCH pairs the configuration builds: every goos
// with every goarch of each build, less its ignore list, sorted.
func (c releaseConfig) targets() []target {
	var ts []target
	for _, b := range c.Builds {
		for _, goos := range b.Goos {
			for _, goarch := range b.Goarch {
				t := target{OS: goos, Arch: goarch}
				ignored := slices.ContainsFunc(b.Ignore, func(i ignoreRule) bool { return i.matches(t) })
				if !ignored && !slices.Contains(ts, t) {
					ts = append(ts, t)
				}
			}
		}
	}
	slices.SortFunc(ts, func(a, b target) int { return strings.Compare(a.String(), b.String()) })
	return ts
}

// buildable keeps the targets the Go toolchain can build (go tool dist
// list): goreleaser skips the others (darwin/arm, windows/arm) without
// failing, so no archive is to be expected for them.
func buildable(ts []target) ([]target, error) {
	out, err := exec.Command("go", "tool", "dist", "list").Output()
	if err != nil {
		return nil, fmt.Errorf("go tool dist list: %w", err)
	}
	known := strings.Fields(string(out))
	return slices.DeleteFunc(ts, func(t target) bool { return !slices.Contains(known, t.String()) }), nil
}

// oneTargetConfig returns the configuration at path with every build
// narrowed to t (goos and goarch replaced, ignore dropped), the rest kept
// as written: what make release-check builds in CI.
func oneTargetConfig(path string, t target) ([]byte, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(b, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	builds := mapValue(doc.Content[0], "builds")
	if builds == nil || builds.Kind != yaml.SequenceNode || len(builds.Content) == 0 {
		return nil, fmt.Errorf("%s: no builds", path)
	}
	for _, build := range builds.Content {
		setList(build, "goos", t.OS)
		setList(build, "goarch", t.Arch)
		deleteKey(build, "ignore")
	}
	var out bytes.Buffer
	enc := yaml.NewEncoder(&out)
	enc.SetIndent(2)
	if err := enc.Encode(&doc); err != nil {
		return nil, err
	}
	return out.Bytes(), enc.Close()
}

func mapValue(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

func setList(m *yaml.Node, key, value string) {
	list := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle,
		Content: []*yaml.Node{{Kind: yaml.ScalarNode, Tag: "!!str", Value: value, Style: yaml.DoubleQuotedStyle}}}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = list
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, list)
}

func deleteKey(m *yaml.Node, key string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content = slices.Delete(m.Content, i, i+2)
			return
		}
	}
}
