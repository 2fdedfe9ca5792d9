package main

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const goodManifest = `{
  "version": 1,
  "metadata": {
    "protocol_versions": ["6.0"]
  }
}
`

func testExpect() expect {
	return expect{
		Name: "terraform-provider-carp", Version: "1.2.3",
		Targets:        []target{{"linux", "amd64"}, {"windows", "386"}},
		Manifest:       []byte(goodManifest),
		ManifestUpload: "terraform-provider-carp_1.2.3_manifest.json",
	}
}

// release is a dist directory in the making: file name to content.
type release map[string][]byte

// goodRelease is what goreleaser builds for testExpect: the archives and
// SHA256SUMS; the manifest is uploaded from the repository.
func goodRelease(t *testing.T, e expect) release {
	r := release{}
	for _, tg := range e.Targets {
		r[e.archiveName(tg)] = zipOf(t, map[string]string{e.binaryName(tg): "binary", "LICENSE": "MPL"})
	}
	r.sum(e, e.manifestName())
	return r
}

// sum writes SHA256SUMS as goreleaser does: the archives in dist, and the
// committed manifest under the name manifestAs (checksum.extra_files).
func (r release) sum(e expect, manifestAs string) {
	lines := []string{sha256Hex(e.Manifest) + "  " + manifestAs}
	for name, b := range r {
		if strings.HasSuffix(name, ".zip") {
			lines = append(lines, sha256Hex(b)+"  "+name)
		}
	}
	slices.Sort(lines)
	r[e.sumsName()] = []byte(strings.Join(lines, "\n") + "\n")
}

func (r release) rename(from, to string) { r[to] = r[from]; delete(r, from) }

func (r release) write(t *testing.T) string {
	dir := t.TempDir()
	for name, b := range r {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func zipOf(t *testing.T, files map[string]string) []byte {
	path := filepath.Join(t.TempDir(), "a.zip")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := zip.NewWriter(f)
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		fw, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write([]byte(files[name])); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheck(t *testing.T) {
	const (
		linux   = "terraform-provider-carp_1.2.3_linux_amd64.zip"
		windows = "terraform-provider-carp_1.2.3_windows_386.zip"
		mf      = "terraform-provider-carp_1.2.3_manifest.json"
		sums    = "terraform-provider-carp_1.2.3_SHA256SUMS"
	)
	cases := []struct {
		name  string
		edit  func(t *testing.T, r release, e *expect)
		wants []string // each a substring of one problem; none: no problem
	}{
		{"as goreleaser builds it", func(*testing.T, release, *expect) {}, nil},
		{"signed", func(_ *testing.T, r release, e *expect) { e.Signed = true; r[sums+".sig"] = []byte("sig") }, nil},
		{"manifest also written into dist", func(_ *testing.T, r release, e *expect) { r[mf] = e.Manifest }, nil},
		{"committed manifest declares protocol 5", func(_ *testing.T, r release, e *expect) {
			e.Manifest = []byte(strings.Replace(goodManifest, "6.0", "5.0", 1))
			r.sum(*e, mf)
		}, []string{`metadata.protocol_versions ["5.0"], want ["6.0"]`}},
		{"committed manifest not JSON", func(_ *testing.T, r release, e *expect) {
			e.Manifest = []byte(`{"version": 1,`)
			r.sum(*e, mf)
		}, []string{"terraform-registry-manifest.json: unexpected end of JSON input"}},
		{"manifest format version 2", func(_ *testing.T, r release, e *expect) {
			e.Manifest = []byte(strings.Replace(goodManifest, `"version": 1`, `"version": 2`, 1))
			r.sum(*e, mf)
		}, []string{"version 2, want 1"}},
		{"manifest in dist differs from the committed one", func(_ *testing.T, r release, e *expect) {
			r[mf] = []byte(strings.Replace(goodManifest, "6.0", "5.0", 1))
			r.sum(*e, mf)
		}, []string{mf + " differs from terraform-registry-manifest.json", sums + ": " + mf + " has SHA-256 "}},
		{"manifest not uploaded", func(_ *testing.T, _ release, e *expect) { e.ManifestUpload = "" },
			[]string{"the release does not upload terraform-registry-manifest.json (release.extra_files): the registry expects " + mf}},
		{"manifest uploaded under another name", func(_ *testing.T, _ release, e *expect) {
			e.ManifestUpload = "terraform-provider-carp_manifest.json"
		}, []string{"the release uploads terraform-registry-manifest.json as terraform-provider-carp_manifest.json: the registry expects " + mf}},
		{"manifest misnamed in SHA256SUMS", func(_ *testing.T, r release, e *expect) {
			r.sum(*e, "terraform-provider-carp_manifest.json")
		}, []string{sums + " lists terraform-provider-carp_manifest.json, which is not",
			sums + " lists terraform-provider-carp_manifest.json: openat terraform-provider-carp_manifest.json: no such file or directory",
			sums + " does not list " + mf}},
		{"manifest's sum wrong", func(_ *testing.T, r release, e *expect) {
			r.sum(expect{Name: e.Name, Version: e.Version, Manifest: []byte("{}")}, mf)
		}, []string{sums + ": " + mf + " has SHA-256 "}},
		{"archive name with dashes", func(_ *testing.T, r release, e *expect) {
			r.rename(linux, "terraform-provider-carp-1.2.3-linux-amd64.zip")
			r.sum(*e, mf)
		}, []string{"unexpected archive terraform-provider-carp-1.2.3-linux-amd64.zip", "missing archive " + linux + " (target linux/amd64)",
			sums + " lists terraform-provider-carp-1.2.3-linux-amd64.zip, which is not", sums + " does not list " + linux}},
		{"archive name without the version", func(_ *testing.T, r release, e *expect) {
			r.rename(linux, "terraform-provider-carp_linux_amd64.zip")
			r.sum(*e, mf)
		}, []string{"unexpected archive terraform-provider-carp_linux_amd64.zip", "missing archive " + linux,
			"lists terraform-provider-carp_linux_amd64.zip, which is not", "does not list " + linux}},
		{"archive of a target missing", func(_ *testing.T, r release, e *expect) { delete(r, windows); r.sum(*e, mf) },
			[]string{"missing archive " + windows + " (target windows/386)", sums + " does not list " + windows}},
		{"binary misnamed in the archive", func(t *testing.T, r release, e *expect) {
			r[linux] = zipOf(t, map[string]string{"terraform-provider-carp": "binary"})
			r.sum(*e, mf)
		}, []string{linux + ": no binary terraform-provider-carp_v1.2.3 at its root (it holds terraform-provider-carp)"}},
		{"windows binary without .exe", func(t *testing.T, r release, e *expect) {
			r[windows] = zipOf(t, map[string]string{"terraform-provider-carp_v1.2.3": "binary"})
			r.sum(*e, mf)
		}, []string{windows + ": no binary terraform-provider-carp_v1.2.3.exe"}},
		{"archive not a zip", func(_ *testing.T, r release, e *expect) { r[linux] = []byte("tar"); r.sum(*e, mf) },
			[]string{linux + ": zip: not a valid zip file"}},
		{"wrong sum", func(_ *testing.T, r release, _ *expect) {
			r[linux] = append(r[linux], 0) // the archive changed after SHA256SUMS was written
		}, []string{sums + ": " + linux + " has SHA-256 "}},
		{"SHA256SUMS misses the manifest", func(_ *testing.T, r release, _ *expect) {
			var keep []string
			for _, l := range strings.Split(string(r[sums]), "\n") {
				if !strings.HasSuffix(l, mf) {
					keep = append(keep, l)
				}
			}
			r[sums] = []byte(strings.Join(keep, "\n"))
		}, []string{sums + " does not list " + mf}},
		{"SHA256SUMS lists a file twice", func(_ *testing.T, r release, _ *expect) {
			first, _, _ := strings.Cut(string(r[sums]), "\n")
			r[sums] = append(r[sums], []byte(first+"\n")...)
		}, []string{"lists terraform-provider-carp_1.2.3_linux_amd64.zip twice"}},
		{"SHA256SUMS names a file outside dist", func(_ *testing.T, r release, _ *expect) {
			r[sums] = append(r[sums], []byte(strings.Repeat("0", 64)+"  ../outside.zip\n")...)
		}, []string{sums + " lists ../outside.zip, which is not", sums + " lists ../outside.zip: openat ../outside.zip: path escapes from parent"}},
		{"SHA256SUMS line malformed", func(_ *testing.T, r release, _ *expect) {
			r[sums] = append(r[sums], []byte("abc "+linux+"\n")...)
		}, []string{`line 4: "abc ` + linux + `" is not`}},
		{"SHA256SUMS missing", func(_ *testing.T, r release, _ *expect) { delete(r, sums) }, []string{"missing " + sums}},
		{"signature missing", func(_ *testing.T, _ release, e *expect) { e.Signed = true },
			[]string{"missing " + sums + ".sig"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := testExpect()
			r := goodRelease(t, e)
			tc.edit(t, r, &e)
			got := check(r.write(t), e)
			if len(got) != len(tc.wants) {
				t.Fatalf("%d problems, want %d:\n%s", len(got), len(tc.wants), strings.Join(got, "\n"))
			}
			for i, want := range tc.wants {
				if !strings.Contains(got[i], want) {
					t.Errorf("problem %d = %q, want it to contain %q", i, got[i], want)
				}
			}
		})
	}
}

func TestTargets(t *testing.T) {
	cfg, err := readConfig("../../../.goreleaser.yml")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tg := range cfg.targets() {
		got = append(got, tg.String())
	}
	// darwin/386 and windows/arm are ignored in the configuration;
	// darwin/arm is not a Go target: goreleaser skips it.
	want := []string{
		"darwin/amd64", "darwin/arm", "darwin/arm64",
		"freebsd/386", "freebsd/amd64", "freebsd/arm", "freebsd/arm64",
		"linux/386", "linux/amd64", "linux/arm", "linux/arm64",
		"windows/386", "windows/amd64", "windows/arm64",
	}
	if !slices.Equal(got, want) {
		t.Errorf("targets of .goreleaser.yml:\n got %v\nwant %v", got, want)
	}
	built, err := buildable(cfg.targets())
	if err != nil {
		t.Fatal(err)
	}
	got = got[:0]
	for _, tg := range built {
		got = append(got, tg.String())
	}
	want = []string{
		"darwin/amd64", "darwin/arm64",
		"freebsd/386", "freebsd/amd64", "freebsd/arm", "freebsd/arm64",
		"linux/386", "linux/amd64", "linux/arm", "linux/arm64",
		"windows/386", "windows/amd64", "windows/arm64",
	}
	if !slices.Equal(got, want) {
		t.Errorf("buildable targets of .goreleaser.yml:\n got %v\nwant %v", got, want)
	}
	if cfg.ProjectName != "terraform-provider-carp" {
		t.Errorf("project_name %q", cfg.ProjectName)
	}
}

func TestOneTargetConfig(t *testing.T) {
	b, err := oneTargetConfig("../../../.goreleaser.yml", target{"linux", "arm64"})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "one.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := readConfig(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(cfg.targets()); got != "[linux/arm64]" {
		t.Errorf("targets %s, want [linux/arm64]", got)
	}
	// The rest as written: names, checksum, manifest, signing.
	for _, want := range []string{
		`name_template: "{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}"`,
		`name_template: "{{ .ProjectName }}_{{ .Version }}_manifest.json"`,
		`name_template: "{{ .ProjectName }}_{{ .Version }}_SHA256SUMS"`,
		`binary: "{{ .ProjectName }}_v{{ .Version }}"`,
		`- "{{ .Env.GPG_FINGERPRINT }}"`,
		`project_name: terraform-provider-carp`,
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("one-target configuration lost %s:\n%s", want, b)
		}
	}
}

func TestChooseTargets(t *testing.T) {
	cfg, err := readConfig("../../../.goreleaser.yml")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ only, want string }{
		{"linux/amd64", "[linux/amd64]"},
		{"darwin/386", "error: target darwin/386 is not built by the configuration"},
		{"darwin/arm", "error: target darwin/arm is not built by the configuration"},
		{"windows/arm", "error: target windows/arm is not built by the configuration"},
		{"linux", `error: target "linux": want GOOS/GOARCH, such as linux/amd64`},
		{"linux/amd64/v1", `error: target "linux/amd64/v1": want GOOS/GOARCH, such as linux/amd64`},
	} {
		ts, err := chooseTargets(cfg, tc.only)
		got := fmt.Sprint(ts)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tc.want {
			t.Errorf("chooseTargets(%q) = %s, want %s", tc.only, got, tc.want)
		}
	}
}

func TestUploadName(t *testing.T) {
	cfg, err := readConfig("../../../.goreleaser.yml")
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.uploadName("terraform-registry-manifest.json", "1.2.3")
	if err != nil || got != "terraform-provider-carp_1.2.3_manifest.json" {
		t.Errorf("the release uploads the manifest as %q, %v; want terraform-provider-carp_1.2.3_manifest.json", got, err)
	}
	if got, err := cfg.uploadName("README.md", "1.2.3"); got != "" || err != nil {
		t.Errorf("README.md uploaded as %q, %v", got, err)
	}
	cfg.Release.ExtraFiles = []extraFile{{Glob: "./terraform-registry-manifest.json", NameTemplate: "{{ .ProjectName }}_{{ .Tag }}_manifest.json"}}
	if _, err := cfg.uploadName("terraform-registry-manifest.json", "1.2.3"); err == nil || !strings.Contains(err.Error(), "the check renders .ProjectName and .Version only") {
		t.Errorf("a template of .Tag: %v", err)
	}
	cfg.Release.ExtraFiles = []extraFile{{Glob: "terraform-registry-manifest.json"}}
	if got, _ := cfg.uploadName("terraform-registry-manifest.json", "1.2.3"); got != "terraform-registry-manifest.json" {
		t.Errorf("without a name_template: %q", got)
	}
}
