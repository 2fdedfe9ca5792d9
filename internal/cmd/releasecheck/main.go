// Command releasecheck checks what goreleaser built against what the
// Terraform Registry expects of a provider release: the archives' names
// and binaries, the manifest (protocol 6.0) and SHA256SUMS. make
// release-check runs it.
//
//	releasecheck -only linux/amd64 -write-config .build/goreleaser-one.yml
//	    writes .goreleaser.yml narrowed to one target (the fast form for CI)
//	releasecheck [-only linux/amd64] [-signed] -dist dist
//	    checks dist/ after goreleaser release (every target of the
//	    configuration, or the one given)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "releasecheck:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("releasecheck", flag.ContinueOnError)
	config := fs.String("config", ".goreleaser.yml", "goreleaser configuration")
	manifest := fs.String("manifest", "terraform-registry-manifest.json", "the registry manifest as committed")
	name := fs.String("name", "terraform-provider-carp", "the project's name: terraform-provider-<type>")
	only := fs.String("only", "", "GOOS/GOARCH: one target of the configuration instead of all")
	writeConfig := fs.String("write-config", "", "write the configuration narrowed to -only here and stop")
	dist := fs.String("dist", "", "goreleaser's dist directory to check")
	signed := fs.Bool("signed", false, "require the signature of SHA256SUMS (a release, not a snapshot)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := readConfig(*config)
	if err != nil {
		return err
	}
	if cfg.ProjectName != *name {
		return fmt.Errorf("%s: project_name %q, want %q (archives are named after it)", *config, cfg.ProjectName, *name)
	}
	targets, err := chooseTargets(cfg, *only)
	if err != nil {
		return err
	}
	if *writeConfig != "" {
		if *only == "" {
			return fmt.Errorf("-write-config needs -only")
		}
		b, err := oneTargetConfig(*config, targets[0])
		if err != nil {
			return err
		}
		return os.WriteFile(*writeConfig, b, 0o644)
	}
	if *dist == "" {
		return fmt.Errorf("give -dist or -write-config")
	}
	return checkDist(*dist, *manifest, cfg, expect{Name: *name, Targets: targets, Signed: *signed})
}

func chooseTargets(cfg releaseConfig, only string) ([]target, error) {
	all, err := buildable(cfg.targets())
	if err != nil {
		return nil, err
	}
	if only == "" {
		return all, nil
	}
	t, err := parseTarget(only)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(all, t) {
		return nil, fmt.Errorf("target %s is not built by the configuration", t)
	}
	return []target{t}, nil
}

// checkDist fills in the version goreleaser built (dist/metadata.json) and
// the committed manifest, checks, and prints the outcome.
func checkDist(dist, manifestPath string, cfg releaseConfig, e expect) error {
	var meta struct {
		ProjectName string `json:"project_name"`
		Version     string `json:"version"`
	}
	b, err := os.ReadFile(dist + "/metadata.json")
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		return fmt.Errorf("%s/metadata.json: %w", dist, err)
	}
	if meta.ProjectName != e.Name || meta.Version == "" {
		return fmt.Errorf("%s/metadata.json: project %q version %q, want project %q", dist, meta.ProjectName, meta.Version, e.Name)
	}
	e.Version = meta.Version
	if e.Manifest, err = os.ReadFile(manifestPath); err != nil {
		return err
	}
	if e.ManifestUpload, err = cfg.uploadName(filepath.Clean(manifestPath), e.Version); err != nil {
		return err
	}
	if problems := check(dist, e); len(problems) > 0 {
		for _, p := range problems {
			fmt.Fprintln(os.Stderr, "release check: "+p)
		}
		return fmt.Errorf("%d problem(s) in %s: not what the registry expects", len(problems), dist)
	}
	ts := make([]string, len(e.Targets))
	for i, t := range e.Targets {
		ts[i] = t.String()
	}
	fmt.Printf("release check: %s is what the registry expects: %d archive(s) (%s), %s (uploaded from terraform-registry-manifest.json), %s listing %d files\n",
		dist, len(e.Targets), strings.Join(ts, " "), e.manifestName(), e.sumsName(), len(e.Targets)+1)
	return nil
}
