package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"
)

// expect is what the Terraform Registry requires of a release of provider
// Name at Version (developer.hashicorp.com/terraform/registry/providers/publishing,
// and for protocol 6 the framework's "Publishing to the Registry"):
//
//   - per target, Name_Version_OS_ARCH.zip holding the binary Name_vVersion
//     (.exe on Windows);
//   - Name_Version_manifest.json, the repository's
//     terraform-registry-manifest.json, declaring protocol_versions ["6.0"]
//     (goreleaser uploads it from the repository: release.extra_files);
//   - Name_Version_SHA256SUMS with the SHA-256 of every zip and of the
//     manifest, and its detached signature Name_Version_SHA256SUMS.sig
//     (Signed; a snapshot is not signed).
type expect struct {
	Name, Version string
	Targets       []target
	Manifest      []byte // terraform-registry-manifest.json as committed
	// ManifestUpload is the name the release uploads the manifest under
	// (releaseConfig.uploadName), "" when it does not.
	ManifestUpload string
	Signed         bool
}

func (e expect) prefix() string       { return e.Name + "_" + e.Version }
func (e expect) manifestName() string { return e.prefix() + "_manifest.json" }
func (e expect) sumsName() string     { return e.prefix() + "_SHA256SUMS" }

func (e expect) archiveName(t target) string {
	return e.prefix() + "_" + t.OS + "_" + t.Arch + ".zip"
}

func (e expect) binaryName(t target) string {
	if t.OS == "windows" {
		return e.Name + "_v" + e.Version + ".exe"
	}
	return e.Name + "_v" + e.Version
}

// check returns what in dist differs from e, one problem a line; none when
// the release is what the registry expects. Files are read through an
// os.Root: a name in SHA256SUMS cannot reach outside dist.
func check(dist string, e expect) []string {
	var p []string
	p = append(p, checkManifestJSON(e.Manifest)...)
	root, err := os.OpenRoot(dist)
	if err != nil {
		return append(p, err.Error())
	}
	defer func() { _ = root.Close() }()
	entries, err := os.ReadDir(dist)
	if err != nil {
		return append(p, err.Error())
	}
	files := map[string]bool{}
	for _, en := range entries {
		if !en.IsDir() {
			files[en.Name()] = true
		}
	}
	p = append(p, checkArchives(root, files, e)...)
	p = append(p, checkManifestFile(root, files, e)...)
	p = append(p, checkSums(root, files, e)...)
	if e.Signed && !files[e.sumsName()+".sig"] {
		p = append(p, "missing "+e.sumsName()+".sig (the signature of SHA256SUMS)")
	}
	return p
}

// checkManifestJSON: the committed manifest declares protocol 6.0 only, as
// the provider serves (tf6server in main.go).
func checkManifestJSON(b []byte) []string {
	var m struct {
		Version  int `json:"version"`
		Metadata struct {
			ProtocolVersions []string `json:"protocol_versions"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return []string{"terraform-registry-manifest.json: " + err.Error()}
	}
	var p []string
	if m.Version != 1 {
		p = append(p, fmt.Sprintf("terraform-registry-manifest.json: version %d, want 1 (the manifest format)", m.Version))
	}
	if !slices.Equal(m.Metadata.ProtocolVersions, []string{"6.0"}) {
		p = append(p, fmt.Sprintf("terraform-registry-manifest.json: metadata.protocol_versions %q, want [\"6.0\"] (the provider serves protocol 6)", m.Metadata.ProtocolVersions))
	}
	return p
}

func checkArchives(root *os.Root, files map[string]bool, e expect) []string {
	var p []string
	want := map[string]target{}
	for _, t := range e.Targets {
		want[e.archiveName(t)] = t
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if _, ok := want[name]; strings.HasSuffix(name, ".zip") && !ok {
			p = append(p, fmt.Sprintf("unexpected archive %s: the registry expects %s_<os>_<arch>.zip", name, e.prefix()))
		}
	}
	for _, t := range e.Targets {
		name := e.archiveName(t)
		if !files[name] {
			p = append(p, fmt.Sprintf("missing archive %s (target %s)", name, t))
			continue
		}
		if err := checkZip(root, name, e.binaryName(t)); err != nil {
			p = append(p, name+": "+err.Error())
		}
	}
	return p
}

// checkZip: the archive holds the provider's binary at its root (a license
// or readme beside it is fine).
func checkZip(root *os.Root, name, binary string) error {
	b, err := root.ReadFile(name)
	if err != nil {
		return err
	}
	r, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return err
	}
	var names []string
	for _, f := range r.File {
		if f.Name == binary && f.UncompressedSize64 > 0 {
			return nil
		}
		names = append(names, f.Name)
	}
	return fmt.Errorf("no binary %s at its root (it holds %s)", binary, strings.Join(names, ", "))
}

// checkManifestFile: the release uploads the committed manifest under the
// registry's name; a manifest goreleaser wrote into dist is that one.
func checkManifestFile(root *os.Root, files map[string]bool, e expect) []string {
	var p []string
	switch e.ManifestUpload {
	case e.manifestName():
	case "":
		p = append(p, fmt.Sprintf("the release does not upload terraform-registry-manifest.json (release.extra_files): the registry expects %s", e.manifestName()))
	default:
		p = append(p, fmt.Sprintf("the release uploads terraform-registry-manifest.json as %s: the registry expects %s", e.ManifestUpload, e.manifestName()))
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if strings.HasSuffix(name, "_manifest.json") && name != e.manifestName() {
			p = append(p, fmt.Sprintf("unexpected manifest %s: the registry expects %s", name, e.manifestName()))
		}
	}
	if !files[e.manifestName()] {
		return p
	}
	b, err := root.ReadFile(e.manifestName())
	if err != nil {
		return append(p, err.Error())
	}
	if !bytes.Equal(b, e.Manifest) {
		p = append(p, e.manifestName()+" differs from terraform-registry-manifest.json")
	}
	return p
}

var sumLine = regexp.MustCompile(`^([0-9a-f]{64})  (\S+)$`)

// checkSums: SHA256SUMS lists every archive and the manifest, once each,
// nothing else, each with the SHA-256 of the file in dist.
func checkSums(root *os.Root, files map[string]bool, e expect) []string {
	if !files[e.sumsName()] {
		return []string{"missing " + e.sumsName()}
	}
	b, err := root.ReadFile(e.sumsName())
	if err != nil {
		return []string{err.Error()}
	}
	want := map[string]bool{e.manifestName(): true}
	for _, t := range e.Targets {
		want[e.archiveName(t)] = true
	}
	var p []string
	listed := map[string]bool{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for n := 1; sc.Scan(); n++ {
		m := sumLine.FindStringSubmatch(sc.Text())
		if m == nil {
			p = append(p, fmt.Sprintf("%s line %d: %q is not \"<sha256>  <file>\"", e.sumsName(), n, sc.Text()))
			continue
		}
		sum, name := m[1], m[2]
		switch {
		case listed[name]:
			p = append(p, fmt.Sprintf("%s lists %s twice", e.sumsName(), name))
		case !want[name]:
			p = append(p, fmt.Sprintf("%s lists %s, which is not an archive or the manifest of this release", e.sumsName(), name))
		}
		listed[name] = true
		if name == e.manifestName() && !files[name] {
			// Uploaded from the repository: the committed manifest.
			if got := sha256Hex(e.Manifest); got != sum {
				p = append(p, fmt.Sprintf("%s: %s has SHA-256 %s, terraform-registry-manifest.json %s", e.sumsName(), name, sum, got))
			}
		} else if got, err := fileSum(root, name); err != nil {
			p = append(p, fmt.Sprintf("%s lists %s: %v", e.sumsName(), name, err))
		} else if got != sum {
			p = append(p, fmt.Sprintf("%s: %s has SHA-256 %s, the file %s", e.sumsName(), name, sum, got))
		}
	}
	for _, name := range slices.Sorted(maps.Keys(want)) {
		if !listed[name] {
			p = append(p, fmt.Sprintf("%s does not list %s", e.sumsName(), name))
		}
	}
	return p
}

func fileSum(root *os.Root, name string) (string, error) {
	b, err := root.ReadFile(name)
	if err != nil {
		return "", err
	}
	return sha256Hex(b), nil
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
