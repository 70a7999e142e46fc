#!/usr/bin/env bash
# The Debian package end to end (docs/testing.md, "The package"):
#   1. cpack builds it from the Release tree (the install rules; no compile);
#   2. lintian finds nothing but what deploy/debian/lintian-overrides explains;
#   3. it holds exactly what `cmake --install --prefix /usr` installs;
#   4. its dependencies (dpkg-shlibdeps') resolve on this host;
#   5. dpkg installs it into a throwaway root with its maintainer scripts
#      (--force-script-chrootless: they honour DPKG_ROOT), and the files,
#      the conffiles and the unit's enablement are there;
#   6. in a private mount namespace where /etc and /usr/bin show that root
#      over the host's: `systemd-analyze verify` of the unit, `xiaoerd
#      --version`, `xiaoerd check --config /etc/xiaoer/xiaoerd.yaml`;
#   7. a newer version (this one repacked, shop.yaml changed) installed over
#      it keeps an intent file the lead edited and takes the new shop.yaml;
#   8. a purge removes the files, the conffiles, the enablement and the state.
# Usage: package_install_test.sh BUILD_DIR SOURCE_DIR. Needs root (dpkg into
# a root, mount namespaces; password-less sudo is tried) and the tools of
# `make deps-deb`; without them it skips (exit 77), except under CI=true,
# where it fails.
set -euo pipefail

build=$(realpath "$1")
source=$(realpath "$2")
started=$(date +%s%N)

skip() {
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL: $*" >&2
    exit 1
  fi
  echo "SKIP: $*"
  exit 77
}
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
step() { echo "== $* ($(( ($(date +%s%N) - started) / 1000000 )) ms)"; }

# As the Makefile installs packages: as root, or through sudo when it asks
# for no password.
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
    exec sudo -n --preserve-env=CI,PATH bash "$0" "$@"
  fi
  skip "needs root or password-less sudo (dpkg into a throwaway root, a mount namespace)"
fi
for tool in cpack dpkg-deb dpkg-shlibdeps lintian systemd-analyze unshare apt-get; do
  command -v "$tool" >/dev/null || skip "$tool not found (make deps-deb)"
done
[ -x "$build/xiaoerd" ] || fail "$build/xiaoerd not built"

work=$(mktemp -d /tmp/xiaoer-package-test.XXXXXX)
trap 'rm -rf "$work"' EXIT

step "1. cpack"
(cd "$build" && cpack -G DEB -B "$work/out") >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack"; }
deb=$(ls "$work"/out/xiaoerd_*.deb)
version=$(dpkg-deb -f "$deb" Version)
echo "$deb: version $version, $(stat -c %s "$deb") bytes"
dpkg-deb -f "$deb" Depends

step "2. lintian"
lintian --fail-on error,warning --display-info --show-overrides "$deb" || fail "lintian tags not explained by deploy/debian/lintian-overrides"

step "3. the package holds what the install rules install"
DESTDIR="$work/staged" cmake --install "$build" --prefix /usr >/dev/null
(cd "$work/staged" && find . ! -type d | sort) >"$work/installed.list"
dpkg-deb --fsys-tarfile "$deb" | tar -t | grep -v '/$' | sort >"$work/packaged.list"
diff -u "$work/installed.list" "$work/packaged.list" || fail "the package differs from cmake --install"

step "4. dependencies resolve here"
apt-get -s install "$deb" >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get cannot install it"; }
grep -q '^Inst xiaoerd\|^xiaoerd is already' "$work/apt.log" || { cat "$work/apt.log"; fail "apt-get would not install it"; }

root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status" "$root/var/lib/dpkg/available"
in_root_dpkg() {
  DEBIAN_FRONTEND=noninteractive dpkg --root="$root" --force-script-chrootless --force-depends \
    --force-confold --log=/dev/null "$@" </dev/null
}
query() { dpkg-query --admindir="$root/var/lib/dpkg" "$@"; }

step "5. install into $root"
in_root_dpkg -i "$deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "dpkg -i"; }
[ "$(query -W -f='${Status} ${Version}' xiaoerd)" = "install ok installed $version" ] || fail "not installed"
for f in usr/bin/xiaoerd lib/systemd/system/xiaoerd.service etc/xiaoer/xiaoerd.yaml etc/xiaoer/shop.yaml \
         usr/share/doc/xiaoerd/copyright usr/share/doc/xiaoerd/changelog.gz usr/share/man/man1/xiaoerd.1.gz; do
  [ -f "$root/$f" ] || fail "/$f missing"
done
[ -x "$root/usr/bin/xiaoerd" ] || fail "/usr/bin/xiaoerd not executable"
intents=$(cd "$source/intents" && ls ./*.yaml | sed 's|^\./||')
for f in $intents; do [ -f "$root/etc/xiaoer/intents/$f" ] || fail "/etc/xiaoer/intents/$f missing"; done
grep -qx 'ExecStart=/usr/bin/xiaoerd serve --config /etc/xiaoer/xiaoerd.yaml' "$root/lib/systemd/system/xiaoerd.service" \
  || fail "the unit does not start /usr/bin/xiaoerd"
grep -qx 'StateDirectory=xiaoer' "$root/lib/systemd/system/xiaoerd.service" || fail "no StateDirectory=xiaoer"
[ -L "$root/etc/systemd/system/multi-user.target.wants/xiaoerd.service" ] || fail "the service is not enabled"
query -W -f='${Conffiles}\n' xiaoerd | awk 'NF {print $1}' | sort >"$work/conffiles"
(cd "$root" && find etc/xiaoer -type f | sed 's|^|/|' | sort) >"$work/etc-files"
diff -u "$work/etc-files" "$work/conffiles" || fail "not every file under /etc/xiaoer is a conffile"

# Runs "$@" where /etc and /usr/bin are the root's over the host's: the
# installed files at their installed paths, the host's libraries.
on_installed() {
  unshare --mount --propagation private bash -c '
    set -e
    mount -t overlay overlay -o "lowerdir=$0/etc:/etc" /etc
    mount -t overlay overlay -o "lowerdir=$0/usr/bin:/usr/bin" /usr/bin
    exec "$@"' "$root" "$@"
}

step "6. the installed unit and binary"
on_installed systemd-analyze verify --man=no "$root/lib/systemd/system/xiaoerd.service" >"$work/verify.log" 2>&1 \
  || { cat "$work/verify.log"; fail "systemd-analyze verify"; }
# Warnings about units this host lacks are not the unit's (a container has
# no network-online.target's providers); any line naming our unit is.
if grep -i 'xiaoerd' "$work/verify.log"; then fail "systemd-analyze verify complains about the unit"; fi
[ "$(on_installed /usr/bin/xiaoerd --version)" = "xiaoerd $version" ] || fail "xiaoerd --version is not $version"
on_installed /usr/bin/xiaoerd check --config /etc/xiaoer/xiaoerd.yaml >"$work/check.log" 2>&1 \
  || { cat "$work/check.log"; fail "xiaoerd check on the installed files"; }
grep -q '^check: config /etc/xiaoer/xiaoerd.yaml ok$' "$work/check.log" || fail "check did not read the config"
grep -q '^check: ok$' "$work/check.log" || fail "check did not pass"
tail -3 "$work/check.log"

step "7. upgrade to a newer version keeps the lead's edit"
edited=$(echo "$intents" | head -1)
echo "# edited by the customer-service lead" >>"$root/etc/xiaoer/intents/$edited"
newer="$version+1"
dpkg-deb -R "$deb" "$work/newer"
sed -i "s/^Version: .*/Version: $newer/" "$work/newer/DEBIAN/control"
echo "# changed in $newer" >>"$work/newer/etc/xiaoer/shop.yaml"
(cd "$work/newer" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | xargs -0 md5sum >DEBIAN/md5sums)
dpkg-deb --root-owner-group -b "$work/newer" "$work/xiaoerd_newer.deb" >/dev/null
in_root_dpkg -i "$work/xiaoerd_newer.deb" >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "upgrade"; }
[ "$(query -W -f='${Version}' xiaoerd)" = "$newer" ] || fail "the upgrade did not install $newer"
grep -q '^# edited by the customer-service lead$' "$root/etc/xiaoer/intents/$edited" || fail "the upgrade lost the edit of $edited"
grep -q "^# changed in $newer\$" "$root/etc/xiaoer/shop.yaml" || fail "the upgrade did not update the unedited shop.yaml"
[ ! -e "$root/etc/xiaoer/intents/$edited.dpkg-new" ] && [ ! -e "$root/etc/xiaoer/shop.yaml.dpkg-old" ] \
  || fail "dpkg left conffile copies: it asked a question it need not"
[ -L "$root/etc/systemd/system/multi-user.target.wants/xiaoerd.service" ] || fail "the upgrade disabled the service"

step "8. purge"
mkdir -p "$root/var/lib/private/xiaoer" && touch "$root/var/lib/private/xiaoer/journal.log"
in_root_dpkg --purge xiaoerd >"$work/dpkg.log" 2>&1 || { cat "$work/dpkg.log"; fail "purge"; }
for f in usr/bin/xiaoerd lib/systemd/system/xiaoerd.service etc/xiaoer var/lib/private/xiaoer \
         etc/systemd/system/multi-user.target.wants/xiaoerd.service; do
  [ ! -e "$root/$f" ] || fail "/$f is left after the purge"
done

step "ok: the package test took"
