// Command packaging builds Jiezhen's Debian packages, jiezhen-districtd
// and jiezhen-kiosk, from binaries built beforehand, with nFPM
// (github.com/goreleaser/nfpm/v2). It is a module of its own so that the
// programs' go.mod never requires nFPM's dependencies. The systemd units,
// defaults files and maintainer scripts are in files/; scripts/packages.sh
// builds the binaries and runs it; docs/DEPLOY.md says how the packages
// are installed and published.
//
//	go run . --districtd BIN --kiosk BIN --version 1.2.3 --out DIR
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/goreleaser/nfpm/v2"
	_ "github.com/goreleaser/nfpm/v2/deb"
	"github.com/goreleaser/nfpm/v2/files"
)

const (
	maintainer = "Jiezhen district platform team <jiezhen@localhost>"
	homepage   = "https://jiezhen.invalid/"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "packaging:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("packaging", flag.ContinueOnError)
	districtd := fs.String("districtd", "", "the districtd binary (CGO_ENABLED=0)")
	kiosk := fs.String("kiosk", "", "the kiosk binary")
	version := fs.String("version", "", "the packages' version, for example 1.2.3")
	out := fs.String("out", "", "the folder to write the .deb files into")
	arch := fs.String("arch", "amd64", "the Debian architecture of the binaries")
	dir := fs.String("files", "files", "the folder of the units and scripts")
	docs := fs.String("docs", "../docs", "the repository's docs/ folder (DEPLOY.md, the dashboard)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *version == "" || *out == "" || (*districtd == "" && *kiosk == "") {
		return errors.New("need --version, --out and --districtd or --kiosk")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return err
	}
	f := func(name string) string { return filepath.Join(*dir, name) }
	doc := func(name string) string { return filepath.Join(*docs, name) }
	if *districtd != "" {
		info := base("jiezhen-districtd", *version, *arch,
			"Jiezhen district platform (districtd)",
			"The district platform Jiezhen kiosks sync with: the sync API, the street\n"+
				"website, the back office and the district's commands, on SQLite.")
		info.Section = "net"
		info.Depends = []string{"systemd (>= 247)"}
		info.Contents = files.Contents{
			bin(*districtd, "/usr/bin/districtd"),
			file(f("districtd.service"), "/usr/lib/systemd/system/districtd.service", 0o644),
			file(f("districtd.sysusers"), "/usr/lib/sysusers.d/districtd.conf", 0o644),
			config(f("districtd.default"), "/etc/default/districtd"),
			file(doc("DEPLOY.md"), "/usr/share/doc/jiezhen-districtd/DEPLOY.md", 0o644),
			file(doc("grafana-dashboard.json"), "/usr/share/doc/jiezhen-districtd/grafana-dashboard.json", 0o644),
		}
		info.Scripts = nfpm.Scripts{PostInstall: f("districtd.postinst"), PreRemove: f("districtd.prerm"), PostRemove: f("districtd.postrm")}
		if err := write(info, *out); err != nil {
			return err
		}
	}
	if *kiosk != "" {
		info := base("jiezhen-kiosk", *version, *arch,
			"Jiezhen self-service kiosk",
			"The offline-first touch kiosk of a street: services, notices, cases and\n"+
				"appeals, in a full-screen session that starts at boot and syncs with\n"+
				"the district platform.")
		info.Section = "x11"
		info.Depends = []string{"systemd (>= 247)", "xinit", "xserver-xorg-core", "xserver-xorg-input-libinput",
			"x11-xserver-utils", "libgl1", "libx11-6", "libxcursor1", "libxrandr2", "libxinerama1", "libxi6", "libxxf86vm1"}
		info.Recommends = []string{"fonts-noto-cjk", "espeak-ng", "unattended-upgrades"}
		info.Contents = files.Contents{
			bin(*kiosk, "/usr/bin/kiosk"),
			file(f("kiosk-session"), "/usr/lib/jiezhen-kiosk/session", 0o755),
			file(f("jiezhen-kiosk.service"), "/usr/lib/systemd/system/jiezhen-kiosk.service", 0o644),
			file(f("jiezhen-kiosk.sysusers"), "/usr/lib/sysusers.d/jiezhen-kiosk.conf", 0o644),
			config(f("jiezhen-kiosk.default"), "/etc/default/jiezhen-kiosk"),
			file(doc("DEPLOY.md"), "/usr/share/doc/jiezhen-kiosk/DEPLOY.md", 0o644),
		}
		info.Contents[4].FileInfo.Mode = 0o600 // it holds the kiosk's token
		info.Scripts = nfpm.Scripts{PostInstall: f("jiezhen-kiosk.postinst"), PreRemove: f("jiezhen-kiosk.prerm"), PostRemove: f("jiezhen-kiosk.postrm")}
		if err := write(info, *out); err != nil {
			return err
		}
	}
	return nil
}

func base(name, version, arch, summary, text string) *nfpm.Info {
	return &nfpm.Info{
		Name: name, Version: version, Arch: arch, Platform: "linux", Priority: "optional",
		Maintainer: maintainer, Homepage: homepage, License: "Proprietary",
		Description: summary + "\n" + text,
		// The same binaries give the same package, byte for byte.
		MTime: time.Unix(0, 0).UTC(),
		// zstd: dpkg reads it since Debian 12, and it packs the kiosk's
		// 48 MB five times as fast as gzip.
		Overridables: nfpm.Overridables{Deb: nfpm.Deb{Compression: "zstd"}},
	}
}

func bin(src, dst string) *files.Content { return file(src, dst, 0o755) }

func file(src, dst string, mode os.FileMode) *files.Content {
	return &files.Content{Source: src, Destination: dst, Type: files.TypeFile,
		FileInfo: &files.ContentFileInfo{Owner: "root", Group: "root", Mode: mode}}
}

func config(src, dst string) *files.Content {
	c := file(src, dst, 0o644)
	c.Type = files.TypeConfigNoReplace
	return c
}

// write packages info as <name>_<version>_<arch>.deb in out, through a
// temporary file, so a failure leaves no half-written package.
func write(info *nfpm.Info, out string) error {
	info = nfpm.WithDefaults(info)
	if err := nfpm.PrepareForPackager(info, "deb"); err != nil {
		return fmt.Errorf("%s: %w", info.Name, err)
	}
	if err := nfpm.Validate(info); err != nil {
		return fmt.Errorf("%s: %w", info.Name, err)
	}
	pkg, err := nfpm.Get("deb")
	if err != nil {
		return err
	}
	name := filepath.Join(out, pkg.ConventionalFileName(info))
	tmp, err := os.CreateTemp(out, ".deb-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if err := pkg.Package(info, tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("%s: %w", info.Name, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return err
	}
	fmt.Println(name)
	return nil
}
