#!/bin/sh
# Installs spanwatch as a system daemon; called by `make install` after `make build`.
# Idempotent: run it again to upgrade. It never overwrites an existing config.
#
#   code     $PREFIX (default /opt/spanwatch): dist/, bin/, production node_modules/
#   command  /usr/local/bin/spanwatch -> $PREFIX/bin/spanwatch.js
#   user     spanwatch (system user and group, no login), created if missing
#   config   /etc/spanwatch/spanwatch.yaml (0640 root:spanwatch: readable after the drop, for SIGHUP)
#   state    /var/lib/spanwatch (0750 spanwatch:spanwatch): reports/, baselines/
#   unit     /etc/systemd/system/spanwatch.service (not enabled: `systemctl enable --now spanwatch`)
#
# DESTDIR=/some/root stages everything under that root without creating the user or
# touching systemd (for packaging and for checking the layout).
set -eu

PREFIX=${PREFIX:-/opt/spanwatch}
DESTDIR=${DESTDIR:-}
USER_NAME=spanwatch
CONF_DIR=/etc/spanwatch
STATE_DIR=/var/lib/spanwatch
UNIT_DIR=/etc/systemd/system
BIN_LINK=/usr/local/bin/spanwatch
SRC=$(cd "$(dirname "$0")/.." && pwd)

say() { echo "install: $*"; }
die() { echo "install: $*" >&2; exit 1; }

[ -n "$DESTDIR" ] || [ "$(id -u)" = 0 ] || die "run as root (or set DESTDIR to stage)"
[ -f "$SRC/dist/cli/main.js" ] || die "no build in $SRC/dist: run make build first"
[ -f "$SRC/node_modules/cap/build/Release/cap.node" ] || die "cap is not built: run make deps first"

# 1. The user the daemon drops to after opening the capture.
if [ -z "$DESTDIR" ]; then
  if ! getent group "$USER_NAME" >/dev/null; then
    groupadd --system "$USER_NAME"
    say "created group $USER_NAME"
  fi
  if ! getent passwd "$USER_NAME" >/dev/null; then
    useradd --system --gid "$USER_NAME" --home-dir "$STATE_DIR" --no-create-home \
      --shell /usr/sbin/nologin --comment "spanwatch daemon" "$USER_NAME"
    say "created user $USER_NAME"
  fi
fi
owner() { # owner USER:GROUP PATH... (skipped when staging)
  o=$1; shift
  [ -n "$DESTDIR" ] || chown "$o" "$@"
}

# 2. The code: staged beside the target, then swapped in, so a failed copy leaves the old one.
target="$DESTDIR$PREFIX"
stage="$target.new.$$"
mkdir -p "$(dirname "$target")"
rm -rf "$stage"
mkdir -p "$stage"
cp -a "$SRC/dist" "$SRC/bin" "$SRC/package.json" "$SRC/package-lock.json" "$SRC/README.md" "$SRC/node_modules" "$stage/"
cp -a "$SRC/etc" "$stage/etc"
(cd "$stage" && npm prune --omit=dev --no-audit --no-fund >/dev/null 2>&1) || say "npm prune failed; dev packages stay installed"
chmod -R u+rwX,go+rX,go-w "$stage"
owner -R root:root "$stage"
if [ -d "$target" ]; then
  rm -rf "$target.old"
  mv "$target" "$target.old"
fi
mv "$stage" "$target"
rm -rf "$target.old"
say "installed $PREFIX"

mkdir -p "$DESTDIR$(dirname "$BIN_LINK")"
ln -sfn "$PREFIX/bin/spanwatch.js" "$DESTDIR$BIN_LINK"

# 3. Config (kept if present) and state.
install -d -m 0750 "$DESTDIR$CONF_DIR"
owner root:"$USER_NAME" "$DESTDIR$CONF_DIR"
if [ ! -e "$DESTDIR$CONF_DIR/spanwatch.yaml" ]; then
  install -m 0640 "$SRC/etc/spanwatch.yaml" "$DESTDIR$CONF_DIR/spanwatch.yaml"
  owner root:"$USER_NAME" "$DESTDIR$CONF_DIR/spanwatch.yaml"
  say "wrote $CONF_DIR/spanwatch.yaml: set capture.interface, then check it with: spanwatch check --config $CONF_DIR/spanwatch.yaml"
else
  say "kept $CONF_DIR/spanwatch.yaml"
fi
install -d -m 0750 "$DESTDIR$STATE_DIR"
owner "$USER_NAME:$USER_NAME" "$DESTDIR$STATE_DIR"

# 4. The unit.
install -d -m 0755 "$DESTDIR$UNIT_DIR"
sed "s#/opt/spanwatch#$PREFIX#g" "$SRC/etc/spanwatch.service" >"$DESTDIR$UNIT_DIR/spanwatch.service"
chmod 0644 "$DESTDIR$UNIT_DIR/spanwatch.service"
if [ -z "$DESTDIR" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  say "unit installed: systemctl enable --now spanwatch"
else
  say "unit installed in $UNIT_DIR (systemd not running here)"
fi
