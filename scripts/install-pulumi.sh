#!/usr/bin/env bash
# Make a Pulumi CLI available for pulumi-ionoscr and print the directory that holds it.
#
#   dir=$(scripts/install-pulumi.sh) && PATH="$dir:$PATH"
#
# Order of preference:
#   1. `pulumi` on PATH if it is at least $PULUMI_MIN_VERSION (default 3.272.0);
#   2. a previous build in the cache directory (a stamp file marks a complete build);
#   3. a fresh build from the Go module proxy at a pinned version (needs `go`).
#
# Beside the CLI (or, for a CLI from PATH, in a small shim directory that links to it) the
# script writes the project's own plugins:
#   pulumi-resource-pulumi-python   runs `python -u -m pulumi.dynamic`  (dynamic providers)
#   pulumi-analyzer-policy-python   runs `python -u -m pulumi.policy`   (Python policy packs, for
#                                   CLIs that still fall back to it without a language host)
#   pulumi-language-python          runs scripts/pulumi_language_python.py (copied beside it): a
#                                   small Python language host that runs program directories and
#                                   policy packs; not written when a real one is already there
# The python they run is, at run time: $PULUMI_PYTHON_CMD if set, else the $PYTHON given to
# this script when it wrote them, else `python3` from PATH.
#
# Only the directory is printed on stdout (last line); progress goes to stderr.
#
# Exit codes:
#   0  a CLI is available; its directory is the last line of stdout
#   2  bad usage
#   3  no usable `pulumi` on PATH, nothing cached, and no `go` to build one (or --no-build)
#   4  the build from the Go module proxy failed (log kept in the cache directory)
#   5  the built or found CLI does not run or reports an unexpected version
#
# Environment:
#   PULUMI_IONOSCR_CACHE            cache root (default: $HOME/.cache/pulumi-ionoscr)
#   PULUMI_CLI_VERSION              version to build (default: the pinned one below)
#   PULUMI_MIN_VERSION              oldest CLI on PATH that is accepted (default 3.272.0)
#   PULUMI_LANGUAGE_PYTHON_VERSION  pseudo-version of the (untagged) upstream Python language
#                                   host module to build as well (the Go module proxy here serves
#                                   none); when empty, the project's own host is installed
#   PYTHON                          interpreter recorded in the plugin one-liners
set -euo pipefail

# Newest release served by the Go module proxy when this was written (checked with
# `go list -m -versions github.com/pulumi/pulumi/sdk/v3`).
PINNED_VERSION=v3.276.0
DEFAULT_MIN_VERSION=3.272.0

SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
PKG_MODULE=github.com/pulumi/pulumi/pkg/v3
CLI_PACKAGE=$PKG_MODULE/cmd/pulumi
LANG_PY_MODULE=github.com/pulumi/pulumi/sdk/python/cmd/pulumi-language-python/v3
# The CLI's clipboard dependency is replaced upstream too; `go install pkg@v` refuses modules
# with replace directives, hence the throwaway module below.
CLIPBOARD_REPLACE=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e

log() { printf 'install-pulumi: %s\n' "$*" >&2; }
die() { local code=$1; shift; printf 'install-pulumi: %s\n' "$*" >&2; exit "$code"; }

usage() {
    cat >&2 <<'EOF'
usage: scripts/install-pulumi.sh [--version vX.Y.Z] [--force] [--ignore-path] [--no-build]
  --version V     build/use this CLI version instead of the pinned one (or $PULUMI_CLI_VERSION)
  --force         rebuild even when the cache holds a complete build
  --ignore-path   do not use a `pulumi` found on PATH
  --no-build      never build; exit 3 if neither PATH nor the cache has a CLI
Prints the directory containing `pulumi` as the last line of stdout.
Exit codes: 0 ok, 2 usage, 3 no CLI and no Go (or --no-build), 4 build failed, 5 CLI broken.
EOF
}

VERSION=${PULUMI_CLI_VERSION:-$PINNED_VERSION}
MIN_VERSION=${PULUMI_MIN_VERSION:-$DEFAULT_MIN_VERSION}
FORCE=0
IGNORE_PATH=0
NO_BUILD=0
while [ $# -gt 0 ]; do
    case $1 in
        --version) [ $# -ge 2 ] || { usage; exit 2; }; VERSION=$2; shift 2 ;;
        --version=*) VERSION=${1#--version=}; shift ;;
        --force) FORCE=1; shift ;;
        --ignore-path) IGNORE_PATH=1; shift ;;
        --no-build) NO_BUILD=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage; exit 2 ;;
    esac
done
case $VERSION in v*) ;; *) VERSION=v$VERSION ;; esac
[[ $VERSION =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die 2 "not a release version: $VERSION"

CACHE_ROOT=${PULUMI_IONOSCR_CACHE:-$HOME/.cache/pulumi-ionoscr}
CLI_ROOT=$CACHE_ROOT/pulumi-cli
PREFIX=$CLI_ROOT/$VERSION
STAMP=$PREFIX/.complete

# version_ge A B: true when version A >= version B (leading "v" ignored).
version_ge() {
    local a=${1#v} b=${2#v}
    [ "$(printf '%s\n%s\n' "$b" "$a" | sort -V | head -n1)" = "$b" ]
}

# The interpreter recorded in the one-liners, if the caller named one.
RECORDED_PYTHON=${PYTHON:-python3}

# write_file PATH CONTENT: write atomically (temp file + rename), mode 755; leave an identical
# file alone so concurrent runs do not fight.
write_file() {
    local path=$1 content=$2 tmp
    if [ -f "$path" ] && [ "$(cat "$path")" = "$content" ]; then
        return 0
    fi
    tmp=$(mktemp "$path.XXXXXX")
    printf '%s\n' "$content" >"$tmp"
    chmod 755 "$tmp"
    mv -f "$tmp" "$path"
}

# Our Python language host (see scripts/pulumi_language_python.py), installed beside the CLI
# unless a real pulumi-language-python is there.
LANGUAGE_HOST_SOURCE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pulumi_language_python.py
LANGUAGE_HOST_FILE=pulumi_ionoscr_language_python.py
OWN_MARK="written by pulumi-ionoscr's scripts/install-pulumi.sh"

# write_plugins DIR: the project's plugin one-liners (written here, not copied from Pulumi).
# Without $PYTHON, existing one-liners are left as they are (they may record another venv).
write_plugins() {
    local dir=$1 py real_host=${EXTERNAL_LANGUAGE_HOST:-0}
    if [ -e "$dir/pulumi-language-python" ] && ! grep -qF "$OWN_MARK" "$dir/pulumi-language-python"; then
        real_host=1
    fi
    if [ "$real_host" = 0 ] && [ -f "$LANGUAGE_HOST_SOURCE" ] &&
        ! cmp -s "$LANGUAGE_HOST_SOURCE" "$dir/$LANGUAGE_HOST_FILE"; then
        write_file "$dir/$LANGUAGE_HOST_FILE" "$(cat "$LANGUAGE_HOST_SOURCE")"
    fi
    if [ -z "${PYTHON:-}" ] && [ -f "$dir/pulumi-resource-pulumi-python" ] &&
        [ -f "$dir/pulumi-analyzer-policy-python" ] &&
        { [ "$real_host" = 1 ] || [ -f "$dir/pulumi-language-python" ]; }; then
        return 0
    fi
    py=$(printf '%q' "$RECORDED_PYTHON")
    write_file "$dir/pulumi-resource-pulumi-python" "#!/bin/sh
# Pulumi resource plugin for Python dynamic providers ($OWN_MARK).
# The engine passes its address; pulumi.dynamic ignores arguments.
exec \"\${PULUMI_PYTHON_CMD:-$py}\" -u -m pulumi.dynamic \"\$@\""
    write_file "$dir/pulumi-analyzer-policy-python" "#!/bin/sh
# Pulumi analyzer plugin for Python policy packs, used by CLIs that fall back to it when no
# language host is installed ($OWN_MARK).
# Arguments: <engine address> <pack dir> [-option=value...]
exec \"\${PULUMI_PYTHON_CMD:-$py}\" -u -m pulumi.policy \"\$@\""
    if [ "$real_host" = 0 ] && [ -f "$dir/$LANGUAGE_HOST_FILE" ]; then
        write_file "$dir/pulumi-language-python" "#!/bin/sh
# Python language host: runs Python programs and policy packs ($OWN_MARK).
exec \"\${PULUMI_PYTHON_CMD:-$py}\" -u \"\$(dirname \"\$0\")/$LANGUAGE_HOST_FILE\" \"\$@\""
    fi
}

# cli_version BIN: the version the binary reports, e.g. v3.276.0 (empty if it does not run).
cli_version() {
    PULUMI_SKIP_UPDATE_CHECK=true "$1" version 2>/dev/null | head -n1 | tr -d '[:space:]' || true
}

finish() {
    local dir=$1
    write_plugins "$dir"
    printf '%s\n' "$dir"
    exit 0
}

mkdir -p "$CLI_ROOT"

# 1. A recent enough pulumi on PATH.
if [ "$IGNORE_PATH" = 0 ] && found=$(command -v pulumi 2>/dev/null); then
    real=$(readlink -f "$found")
    case $real in
        "$CLI_ROOT"/*)
            # Our own cached build is already on PATH: use it as it is.
            if [ -f "$(dirname "$(dirname "$real")")/.complete" ]; then
                log "using cached CLI already on PATH: $(cli_version "$real")"
                finish "$(dirname "$real")"
            fi
            ;;
        *)
            found_version=$(cli_version "$real")
            if [ -n "$found_version" ] && version_ge "$found_version" "$MIN_VERSION"; then
                # Link it into a shim directory so the one-liners sit on PATH beside it.
                if [ -x "$(dirname "$real")/pulumi-language-python" ]; then
                    EXTERNAL_LANGUAGE_HOST=1
                fi
                shim=$CLI_ROOT/path-${found_version}/bin
                mkdir -p "$shim"
                if [ "$(readlink "$shim/pulumi" 2>/dev/null || true)" != "$real" ]; then
                    ln -sfn "$real" "$shim/pulumi.tmp.$$" && mv -fT "$shim/pulumi.tmp.$$" "$shim/pulumi"
                fi
                log "using pulumi $found_version from PATH ($real)"
                finish "$shim"
            fi
            log "ignoring pulumi on PATH (${found_version:-does not run}; need >= $MIN_VERSION)"
            ;;
    esac
fi

# 2. A complete cached build.
if [ "$FORCE" = 0 ] && [ -f "$STAMP" ] && [ -x "$PREFIX/bin/pulumi" ]; then
    log "using cached build $VERSION ($(grep -E '^build_seconds=' "$STAMP" | cut -d= -f2)s build)"
    finish "$PREFIX/bin"
fi

if [ "$NO_BUILD" = 1 ]; then
    die 3 "no Pulumi CLI >= $MIN_VERSION on PATH and no cached build of $VERSION (--no-build)"
fi
if ! command -v go >/dev/null 2>&1; then
    die 3 "no Pulumi CLI >= $MIN_VERSION on PATH, no cached build, and no Go toolchain to build $VERSION"
fi

# 3. Build from the Go module proxy. One build at a time per cache.
if command -v flock >/dev/null 2>&1; then
    exec 9>"$CLI_ROOT/.lock"
    flock 9
    # Another run may have finished the build while we waited.
    if [ "$FORCE" = 0 ] && [ -f "$STAMP" ] && [ -x "$PREFIX/bin/pulumi" ]; then
        log "cached build $VERSION appeared while waiting"
        finish "$PREFIX/bin"
    fi
    # Holding the lock, any staging directory left behind is from a killed build.
    rm -rf "$CLI_ROOT"/.build-* "$CLI_ROOT"/v*.old.*
fi

export GOPATH=$CACHE_ROOT/go/path
export GOMODCACHE=$CACHE_ROOT/go/mod
export GOCACHE=$CACHE_ROOT/go/build
export CGO_ENABLED=0 GO111MODULE=on GOWORK=off
# -modcacherw: the module cache stays deletable with a plain rm -rf.
export GOFLAGS="-modcacherw -buildvcs=false"
mkdir -p "$GOPATH" "$GOMODCACHE" "$GOCACHE"

STAGE=$(mktemp -d "$CLI_ROOT/.build-$VERSION.XXXXXX")
BUILD_LOG=$CLI_ROOT/build-$VERSION.log
cleanup() { rm -rf "$STAGE"; }
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building Pulumi CLI $VERSION from the Go module proxy ($(go env GOVERSION), $(nproc 2>/dev/null || echo '?') cores); log: $BUILD_LOG"
start=$(date +%s)
: >"$BUILD_LOG"

run() {
    printf '+ %s\n' "$*" >>"$BUILD_LOG"
    # 9>&-: the Go tools must not inherit the lock, or a build orphaned by a killed run holds it.
    "$@" >>"$BUILD_LOG" 2>&1 9>&-
}

mkdir -p "$STAGE/src" "$STAGE/out/bin"
LDFLAGS="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$VERSION"
(
    cd "$STAGE/src"
    run go mod init local/pulumi-cli-build
    run go mod edit -replace "$CLIPBOARD_REPLACE"
    run go get -tool "$CLI_PACKAGE@$VERSION"
    run go get "$SDK_MODULE@$VERSION" "$PKG_MODULE@$VERSION"
    run go mod tidy
    run go build -trimpath -tags osusergo,grpcnotrace -ldflags "$LDFLAGS" \
        -o "$STAGE/out/bin/pulumi" "$CLI_PACKAGE"
) || { cp "$BUILD_LOG" "$BUILD_LOG.failed" 2>/dev/null || true
       tail -n 20 "$BUILD_LOG" >&2
       die 4 "building pulumi $VERSION failed; see $BUILD_LOG"; }

cli_end=$(date +%s)
log "pulumi built in $((cli_end - start))s"

# Optional: the Python language host. The module is untagged upstream, so it is reachable only
# as a pseudo-version at the release commit, and only if the proxy serves that version.
language_host=none
if [ -n "${PULUMI_LANGUAGE_PYTHON_VERSION:-}" ]; then
    log "building the Python language host $PULUMI_LANGUAGE_PYTHON_VERSION"
    mkdir -p "$STAGE/lang"
    if (
        cd "$STAGE/lang"
        run go mod init local/pulumi-language-python-build
        run go mod edit -replace "$CLIPBOARD_REPLACE"
        run go get -tool "$LANG_PY_MODULE@$PULUMI_LANGUAGE_PYTHON_VERSION"
        run go get "$SDK_MODULE@$VERSION" "$PKG_MODULE@$VERSION"
        run go mod tidy
        run go build -trimpath -tags osusergo,grpcnotrace -ldflags "$LDFLAGS" \
            -o "$STAGE/out/bin/pulumi-language-python" "$LANG_PY_MODULE"
        # The host runs this helper script, shipped in the sdk module, with python.
        sdk_dir=$(go list -m -f '{{.Dir}}' "$SDK_MODULE")
        cp "$sdk_dir/python/cmd/pulumi-language-python-exec" "$STAGE/out/bin/"
        chmod 755 "$STAGE/out/bin/pulumi-language-python-exec"
    ); then
        language_host=$PULUMI_LANGUAGE_PYTHON_VERSION
    else
        rm -f "$STAGE/out/bin/pulumi-language-python" "$STAGE/out/bin/pulumi-language-python-exec"
        log "the upstream Python language host could not be built (see $BUILD_LOG);" \
            "installing the project's own (scripts/pulumi_language_python.py)"
    fi
else
    log "upstream Python language host not built (PULUMI_LANGUAGE_PYTHON_VERSION unset):" \
        "installing the project's own (scripts/pulumi_language_python.py)"
fi

built_version=$(cli_version "$STAGE/out/bin/pulumi")
[ "$built_version" = "$VERSION" ] ||
    die 5 "the built CLI reports '${built_version}' instead of $VERSION"

end=$(date +%s)
size=$(stat -c %s "$STAGE/out/bin/pulumi")
write_plugins "$STAGE/out/bin"
cat >"$STAGE/out/.complete" <<EOF
version=$VERSION
go=$(go env GOVERSION)
built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)
build_seconds=$((end - start))
cli_build_seconds=$((cli_end - start))
pulumi_bytes=$size
language_host=${language_host/#none/own (scripts/pulumi_language_python.py)}
EOF

# Move into place atomically: a directory rename either happens or not, so an interrupted
# build never leaves a half cache. A stale incomplete directory is cleared first.
if [ -e "$PREFIX" ]; then
    rm -rf "$PREFIX.old.$$"
    mv "$PREFIX" "$PREFIX.old.$$"
fi
mv "$STAGE/out" "$PREFIX"
rm -rf "$PREFIX.old.$$"

log "installed pulumi $VERSION in $((end - start))s, $size bytes ($((size / 1048576)) MiB)"
finish "$PREFIX/bin"
