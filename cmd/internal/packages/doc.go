// Package packages holds the tests of the Debian packages that the
// packaging module (packaging/ at the repository's root) builds: the
// systemd units pass systemd-analyze verify, both packages install into a
// throwaway root, and a kiosk upgrades from a signed apt repository
// (docs/DEPLOY.md). It has no code of its own.
package packages
