package packages

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
)

// built holds what every test here shares: the binaries and the
// packaging tool are built once per run, in a folder removed at its end.
var built struct {
	once                       sync.Once
	err                        error
	dir                        string
	districtd, kiosk, packTool string
}

var repoRoot, _ = filepath.Abs("../../..")

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func goBuild(dir string, env []string, args ...string) error {
	cmd := exec.Command("go", append([]string{"build"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// build gives the binaries and the packaging tool, building them the
// first time.
func build(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("builds both programs and their packages")
	}
	if runtime.GOOS != "linux" {
		t.Skip("Debian packages are built on Linux")
	}
	built.once.Do(func() {
		if built.dir, built.err = os.MkdirTemp("", "jiezhen-packages-"); built.err != nil {
			return
		}
		built.districtd = filepath.Join(built.dir, "districtd")
		built.kiosk = filepath.Join(built.dir, "kiosk")
		built.packTool = filepath.Join(built.dir, "packaging")
		ld := "-ldflags=-X jiezhen/cmd/internal/version.Version=1.0.0"
		if built.err = goBuild(repoRoot, []string{"CGO_ENABLED=0"}, ld, "-o", built.districtd, "./cmd/districtd"); built.err != nil {
			return
		}
		if built.err = goBuild(repoRoot, nil, ld, "-o", built.kiosk, "./cmd/kiosk"); built.err != nil {
			return
		}
		built.err = goBuild(filepath.Join(repoRoot, "packaging"), nil, "-o", built.packTool, ".")
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
}

// run runs a command and fails the test with its output when it fails.
func run(t *testing.T, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func need(t *testing.T, tools ...string) {
	t.Helper()
	for _, tool := range tools {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is missing: scripts/deps.sh installs it", tool)
		}
	}
}

// pack builds the packages of version v into dir and returns their
// files: districtd's and the kiosk's ("" for those not asked).
func pack(t *testing.T, dir, v string, districtd, kiosk bool) (string, string) {
	t.Helper()
	args := []string{"--version", v, "--out", dir, "--files", filepath.Join(repoRoot, "packaging", "files"),
		"--docs", filepath.Join(repoRoot, "docs")}
	var d, k string
	if districtd {
		args = append(args, "--districtd", built.districtd)
		d = filepath.Join(dir, "jiezhen-districtd_"+v+"_amd64.deb")
	}
	if kiosk {
		args = append(args, "--kiosk", built.kiosk)
		k = filepath.Join(dir, "jiezhen-kiosk_"+v+"_amd64.deb")
	}
	out := run(t, nil, built.packTool, args...)
	for _, f := range []string{d, k} {
		if f != "" && !strings.Contains(out, f) {
			t.Fatalf("packaging wrote %q, not %s", out, f)
		}
	}
	return d, k
}

// The units in the packages pass systemd-analyze verify, inside a root
// holding the packages' files and this machine's own units, and carry
// the hardening and the restarts docs/DEPLOY.md promises; the sysusers
// files make the services' users.
func TestUnitsVerify(t *testing.T) {
	build(t)
	if _, err := exec.LookPath("systemd-analyze"); err != nil {
		t.Skip("systemd-analyze is not installed here (Debian's systemd package has it): the units are not verified")
	}
	need(t, "dpkg-deb", "systemd-sysusers")
	d, k := pack(t, t.TempDir(), "1.0.0", true, true)
	root := t.TempDir()
	run(t, nil, "dpkg-deb", "-x", d, root)
	run(t, nil, "dpkg-deb", "-x", k, root)
	// The targets and services the units order themselves against.
	units := filepath.Join(root, "usr/lib/systemd/system")
	run(t, nil, "cp", "-rn", "/lib/systemd/system/.", units)
	// ExecStart's programs must be there: ours are, xinit is the host's.
	need(t, "xinit")
	run(t, nil, "cp", "/usr/bin/xinit", filepath.Join(root, "usr/bin/xinit"))
	for _, unit := range []string{"districtd.service", "jiezhen-kiosk.service"} {
		out := run(t, nil, "systemd-analyze", "verify", "--root="+root, "/usr/lib/systemd/system/"+unit)
		if strings.TrimSpace(out) != "" {
			t.Errorf("systemd-analyze verify %s:\n%s", unit, out)
		}
	}
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(units, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for unit, want := range map[string][]string{
		"districtd.service": {"User=districtd", "StateDirectory=districtd", "ProtectSystem=strict", "NoNewPrivileges=yes",
			"ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes", "CapabilityBoundingSet=\n", "Restart=on-failure",
			"--db /var/lib/districtd/district.db"},
		"jiezhen-kiosk.service": {"User=jiezhen-kiosk", "StateDirectory=jiezhen-kiosk", "Restart=always",
			"WantedBy=graphical.target", "-s 0 -dpms", "NoNewPrivileges=yes"},
	} {
		text := read(unit)
		for _, w := range want {
			if !strings.Contains(text, w) {
				t.Errorf("%s lacks %q", unit, w)
			}
		}
	}
	session, err := os.ReadFile(filepath.Join(root, "usr/lib/jiezhen-kiosk/session"))
	if err != nil || !bytes.Contains(session, []byte("xset s off s noblank -dpms")) || !bytes.Contains(session, []byte("--fullscreen")) {
		t.Errorf("the kiosk's session does not keep the screen on full screen: %v\n%s", err, session)
	}
	if err := os.MkdirAll(filepath.Join(root, "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, nil, "systemd-sysusers", "--root="+root)
	passwd, err := os.ReadFile(filepath.Join(root, "etc/passwd"))
	if err != nil {
		t.Fatal(err)
	}
	for _, user := range []string{"districtd:", "jiezhen-kiosk:"} {
		if !bytes.Contains(passwd, []byte("\n"+user)) && !bytes.HasPrefix(passwd, []byte(user)) {
			t.Errorf("sysusers made no user %s\n%s", user, passwd)
		}
	}
}

// throwawayRoot makes a dpkg database in a temporary folder whose status
// lists the packages' dependencies as installed stand-ins, so that dpkg
// and apt work there without touching this machine's packages.
func throwawayRoot(t *testing.T, debs ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "var/lib/apt/lists/partial",
		"var/cache/apt/archives/partial", "var/log/apt", "etc/apt/apt.conf.d", "etc/apt/sources.list.d", "etc/apt/preferences.d"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	var status bytes.Buffer
	seen := map[string]bool{}
	for _, deb := range debs {
		for _, dep := range strings.Split(run(t, nil, "dpkg-deb", "-f", deb, "Depends"), ",") {
			name := strings.TrimSpace(strings.SplitN(dep, "(", 2)[0])
			if name == "" || seen[name] {
				continue
			}
			seen[name] = true
			fmt.Fprintf(&status, "Package: %s\nStatus: install ok installed\nPriority: optional\nVersion: 9999\n"+
				"Architecture: amd64\nMaintainer: stand-in <root@localhost>\nDescription: stands in for the real package in a throwaway root\n\n", name)
			if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg/info", name+".list"), nil, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	for name, b := range map[string][]byte{"status": status.Bytes(), "available": nil} {
		if err := os.WriteFile(filepath.Join(root, "var/lib/dpkg", name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// dpkgRoot runs dpkg on root only. The maintainer scripts run outside a
// chroot with DPKG_ROOT set, and then change nothing (files/*.postinst).
func dpkgRoot(t *testing.T, root string, args ...string) string {
	t.Helper()
	return run(t, nil, "dpkg", append([]string{"--root=" + root, "--force-script-chrootless"}, args...)...)
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Getuid() != 0 {
		t.Skip("dpkg --root and apt into a throwaway root need root (CI runs as root)")
	}
}

// hostHasNo checks that this machine's own dpkg never heard of the
// packages the test installed into its throwaway root.
func hostHasNo(t *testing.T, pkgs ...string) {
	t.Helper()
	for _, p := range pkgs {
		if out, err := exec.Command("dpkg-query", "-W", "-f=${Status}", p).Output(); err == nil && strings.Contains(string(out), "installed") {
			t.Errorf("this machine has %s installed (%s); the tests install only into temporary roots", p, out)
		}
	}
}

// Both packages install with dpkg into a throwaway root: the programs
// run from there, the units and the defaults files are in place.
func TestInstall(t *testing.T) {
	build(t)
	needRoot(t)
	need(t, "dpkg", "dpkg-deb")
	hostHasNo(t, "jiezhen-districtd", "jiezhen-kiosk")
	d, k := pack(t, t.TempDir(), "1.0.0", true, true)
	root := throwawayRoot(t, d, k)
	dpkgRoot(t, root, "-i", d, k)
	for _, p := range []string{"jiezhen-districtd", "jiezhen-kiosk"} {
		if out := run(t, nil, "dpkg-query", "--root="+root, "-W", "-f=${Status} ${Version}", p); out != "install ok installed 1.0.0" {
			t.Errorf("%s in the root: %q", p, out)
		}
	}
	if out := run(t, nil, filepath.Join(root, "usr/bin/districtd"), "version"); !strings.HasPrefix(out, "districtd 1.0.0") {
		t.Errorf("the installed districtd says %q", out)
	}
	for _, f := range []string{"usr/bin/kiosk", "usr/lib/systemd/system/districtd.service", "usr/lib/systemd/system/jiezhen-kiosk.service",
		"usr/lib/sysusers.d/districtd.conf", "etc/default/districtd", "usr/share/doc/jiezhen-districtd/DEPLOY.md",
		"usr/share/doc/jiezhen-districtd/grafana-dashboard.json"} {
		if _, err := os.Stat(filepath.Join(root, f)); err != nil {
			t.Errorf("not installed: %v", err)
		}
	}
	if st, err := os.Stat(filepath.Join(root, "etc/default/jiezhen-kiosk")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("the kiosk's defaults file, which holds its token: %v %v", st.Mode(), err)
	}
	conffiles := run(t, nil, "dpkg-query", "--root="+root, "-W", "-f=${Conffiles}", "jiezhen-districtd")
	if !strings.Contains(conffiles, "/etc/default/districtd") {
		t.Errorf("/etc/default/districtd is not a conffile: %q", conffiles)
	}
	hostHasNo(t, "jiezhen-districtd", "jiezhen-kiosk")
}

// A kiosk upgrades from the district's signed apt repository, built with
// reprepro and a GPG key made for the test: apt in a throwaway root
// fetches the signed index from a file: source (as from a USB drive),
// finds the newer kiosk and installs it over the old one. A repository
// signed by another key is refused.
func TestAptUpgradeFromSignedRepository(t *testing.T) {
	build(t)
	needRoot(t)
	need(t, "dpkg", "dpkg-deb", "apt-get", "gpg", "reprepro")
	dir := t.TempDir()
	_, old := pack(t, filepath.Join(dir, "1.0.0"), "1.0.0", false, true)
	_, newer := pack(t, filepath.Join(dir, "1.1.0"), "1.1.0", false, true)

	gnupg := filepath.Join(dir, "gnupg")
	if err := os.Mkdir(gnupg, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"GNUPGHOME=" + gnupg}
	key := func(name string) (fpr, keyring string) {
		run(t, env, "gpg", "--batch", "--passphrase", "", "--quick-gen-key", name+" <apt@localhost>", "ed25519", "sign", "never")
		for _, l := range strings.Split(run(t, env, "gpg", "--batch", "--with-colons", "--list-keys", name), "\n") {
			if f := strings.Split(l, ":"); f[0] == "fpr" {
				fpr = f[9]
				break
			}
		}
		keyring = filepath.Join(dir, name+".gpg")
		run(t, env, "gpg", "--batch", "--yes", "--output", keyring, "--export", fpr)
		return fpr, keyring
	}
	fpr, keyring := key("district")
	_, otherKeyring := key("other")

	repo := filepath.Join(dir, "repo")
	if err := os.MkdirAll(filepath.Join(repo, "conf"), 0o755); err != nil {
		t.Fatal(err)
	}
	conf := "Origin: Jiezhen\nLabel: Jiezhen\nCodename: stable\nArchitectures: amd64\nComponents: main\nSignWith: " + fpr + "\n"
	if err := os.WriteFile(filepath.Join(repo, "conf/distributions"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, env, "reprepro", "-b", repo, "includedeb", "stable", newer)
	if _, err := os.Stat(filepath.Join(repo, "dists/stable/InRelease")); err != nil {
		t.Fatalf("reprepro signed no InRelease: %v", err)
	}

	root := throwawayRoot(t, old)
	dpkgRoot(t, root, "-i", old)
	aptConf := func(keyring string) []string {
		if err := os.WriteFile(filepath.Join(root, "etc/apt/sources.list"),
			[]byte("deb [signed-by="+keyring+"] file:"+repo+" stable main\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		c := fmt.Sprintf(`Dir "%[1]s/";
Dir::State::status "%[1]s/var/lib/dpkg/status";
Dir::Etc::main "%[1]s/etc/apt/apt.conf";
Dir::Etc::parts "%[1]s/etc/apt/apt.conf.d/";
Dir::Etc::sourcelist "%[1]s/etc/apt/sources.list";
Dir::Etc::sourceparts "%[1]s/etc/apt/sources.list.d/";
Dir::Etc::preferencesparts "%[1]s/etc/apt/preferences.d/";
Dir::Log "%[1]s/var/log/apt/";
DPkg::Options { "--root=%[1]s"; "--force-script-chrootless"; };
APT::Sandbox::User "root";
Debug::NoLocking "true";
Acquire::Languages "none";
`, root)
		f := filepath.Join(dir, "apt.conf")
		if err := os.WriteFile(f, []byte(c), 0o644); err != nil {
			t.Fatal(err)
		}
		return []string{"APT_CONFIG=" + f, "DEBIAN_FRONTEND=noninteractive"}
	}

	// Signed by a key the kiosk does not trust: refused, nothing changes.
	cmd := exec.Command("apt-get", "update")
	cmd.Env = append(os.Environ(), aptConf(otherKeyring)...)
	out, err := cmd.CombinedOutput()
	if err == nil && !bytes.Contains(out, []byte("NO_PUBKEY")) && !bytes.Contains(out, []byte("not signed")) {
		t.Errorf("apt took a repository signed by an untrusted key:\n%s", out)
	}

	aptEnv := aptConf(keyring)
	run(t, aptEnv, "apt-get", "update")
	if policy := run(t, aptEnv, "apt-cache", "policy", "jiezhen-kiosk"); !strings.Contains(policy, "Installed: 1.0.0") || !strings.Contains(policy, "Candidate: 1.1.0") {
		t.Fatalf("apt-cache policy:\n%s", policy)
	}
	run(t, aptEnv, "apt-get", "install", "-y", "--only-upgrade", "jiezhen-kiosk")
	if out := run(t, nil, "dpkg-query", "--root="+root, "-W", "-f=${Status} ${Version}", "jiezhen-kiosk"); out != "install ok installed 1.1.0" {
		t.Errorf("after the upgrade the root has %q", out)
	}
	hostHasNo(t, "jiezhen-kiosk")
}
