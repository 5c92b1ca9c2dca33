#!/usr/bin/env bash
# Make a Pulumi CLI with a Python language host available for pulumi-ionoscr, and print the
# directory that holds both.
#
#   dir=$(scripts/install-pulumi.sh) && PATH="$dir:$PATH"
#
# The CLI, in order of preference:
#   1. `pulumi` on PATH if it is at least $PULUMI_MIN_VERSION (default 3.272.0) and ships its own
#      pulumi-language-python (every Pulumi release does);
#   2. a previous build in the cache directory (a stamp file marks a complete build);
#   3. a fresh build from the Go module proxy at a pinned version (needs `go`).
#
# The Python language host beside it (--language-host, default auto):
#   upstream  Pulumi's own pulumi-language-python, built from its source directory
#             ($PULUMI_LANGUAGE_PYTHON_SRC, default ../shared/upstream/pulumi-language-python
#             from the repository root) against the CLI's own pkg/v3 and sdk/v3 release, with
#             its pulumi-language-python-exec and pulumi-resource-pulumi-python scripts: what
#             users get in every CLI release. Built once per CLI version and source, cached.
#   project   the project's small host, scripts/pulumi_language_python.py, with one-liner
#             plugins that run it with Python ($PULUMI_PYTHON_CMD if set, else the $PYTHON given
#             to this script when it wrote them, else `python3`).
#   auto      upstream when its source (or an earlier build of it) is there, else project.
# Each host gets its own directory that holds `pulumi` (a hard link to the cached build) and
# the host's files, so both can be used side by side: the engine prefers plugins on PATH, then
# the ones beside the `pulumi` it runs.
#
# Only the directory is printed on stdout (last line); progress goes to stderr.
#
# Exit codes:
#   0  a CLI is available; its directory is the last line of stdout
#   2  bad usage
#   3  no usable `pulumi` on PATH, nothing cached, and no `go` to build one (or --no-build)
#   4  a build from the Go module proxy failed (the CLI or the upstream host; log in the cache)
#   5  the built or found CLI does not run or reports an unexpected version
#   6  --language-host upstream, but no source for it and no earlier build of it
#
# Environment:
#   PULUMI_IONOSCR_CACHE        cache root (default: $HOME/.cache/pulumi-ionoscr)
#   PULUMI_CLI_VERSION          version to build (default: the pinned one below)
#   PULUMI_MIN_VERSION          oldest CLI on PATH that is accepted (default 3.272.0)
#   PULUMI_LANGUAGE_PYTHON_SRC  source of the upstream Python language host (see above)
#   PULUMI_LANGUAGE_HOST        default for --language-host
#   PYTHON                      interpreter recorded in the project host's one-liners
set -euo pipefail

# Newest release served by the Go module proxy when this was written (checked with
# `go list -m -versions github.com/pulumi/pulumi/sdk/v3`).
PINNED_VERSION=v3.276.0
DEFAULT_MIN_VERSION=3.272.0

SDK_MODULE=github.com/pulumi/pulumi/sdk/v3
PKG_MODULE=github.com/pulumi/pulumi/pkg/v3
CLI_PACKAGE=$PKG_MODULE/cmd/pulumi
# The CLI's clipboard dependency is replaced upstream too; `go install pkg@v` refuses modules
# with replace directives, hence the throwaway modules below.
CLIPBOARD_REPLACE=github.com/atotto/clipboard=github.com/tgummerer/clipboard@v0.0.0-20241001131231-d02d263e614e
GO_BUILD_TAGS=osusergo,grpcnotrace

REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# The upstream host's files that are built or installed (all three must be in the source).
UPSTREAM_FILES=(main.go pulumi-language-python-exec pulumi-resource-pulumi-python)

log() { printf 'install-pulumi: %s\n' "$*" >&2; }
die() { local code=$1; shift; printf 'install-pulumi: %s\n' "$*" >&2; exit "$code"; }

usage() {
    cat >&2 <<'EOF'
usage: scripts/install-pulumi.sh [--version vX.Y.Z] [--language-host auto|upstream|project]
                                 [--force] [--ignore-path] [--no-build]
  --version V        build/use this CLI version instead of the pinned one (or $PULUMI_CLI_VERSION)
  --language-host H  upstream: Pulumi's pulumi-language-python built from source;
                     project: scripts/pulumi_language_python.py; auto (default): upstream when
                     its source or a build of it is there, else project
  --force            rebuild the CLI (and the upstream host) even when the cache holds them
  --ignore-path      do not use a `pulumi` found on PATH
  --no-build         never build; exit 3 if what is asked for is not on PATH or in the cache
Prints the directory containing `pulumi` and the language host as the last line of stdout.
Exit codes: 0 ok, 2 usage, 3 no CLI and no Go (or --no-build), 4 build failed, 5 CLI broken,
6 no source for the upstream host.
EOF
}

VERSION=${PULUMI_CLI_VERSION:-$PINNED_VERSION}
MIN_VERSION=${PULUMI_MIN_VERSION:-$DEFAULT_MIN_VERSION}
HOST=${PULUMI_LANGUAGE_HOST:-auto}
FORCE=0
IGNORE_PATH=0
NO_BUILD=0
while [ $# -gt 0 ]; do
    case $1 in
        --version) [ $# -ge 2 ] || { usage; exit 2; }; VERSION=$2; shift 2 ;;
        --version=*) VERSION=${1#--version=}; shift ;;
        --language-host) [ $# -ge 2 ] || { usage; exit 2; }; HOST=$2; shift 2 ;;
        --language-host=*) HOST=${1#--language-host=}; shift ;;
        --force) FORCE=1; shift ;;
        --ignore-path) IGNORE_PATH=1; shift ;;
        --no-build) NO_BUILD=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage; exit 2 ;;
    esac
done
case $VERSION in v*) ;; *) VERSION=v$VERSION ;; esac
[[ $VERSION =~ ^v[0-9]+\.[0-9]+\.[0-9]+$ ]] || die 2 "not a release version: $VERSION"
case $HOST in auto|upstream|project) ;; *) usage; exit 2 ;; esac

CACHE_ROOT=${PULUMI_IONOSCR_CACHE:-$HOME/.cache/pulumi-ionoscr}
CLI_ROOT=$CACHE_ROOT/pulumi-cli
PREFIX=$CLI_ROOT/$VERSION
STAMP=$PREFIX/.complete

# The upstream host's source: given, or the shared checkout beside the repository.
UPSTREAM_SRC=${PULUMI_LANGUAGE_PYTHON_SRC:-}
if [ -z "$UPSTREAM_SRC" ] && [ -f "$REPO_ROOT/../shared/upstream/pulumi-language-python/main.go" ]; then
    UPSTREAM_SRC=$(cd "$REPO_ROOT/../shared/upstream/pulumi-language-python" && pwd)
fi
if [ -n "$UPSTREAM_SRC" ]; then
    for file in "${UPSTREAM_FILES[@]}"; do
        [ -f "$UPSTREAM_SRC/$file" ] ||
            die 6 "PULUMI_LANGUAGE_PYTHON_SRC=$UPSTREAM_SRC has no $file (see docs/engine.md)"
    done
fi

# version_ge A B: true when version A >= version B (leading "v" ignored).
version_ge() {
    local a=${1#v} b=${2#v}
    [ "$(printf '%s\n%s\n' "$b" "$a" | sort -V | head -n1)" = "$b" ]
}

# cli_version BIN [ARG]: the version the binary reports when run with ARG (default `version`),
# e.g. v3.276.0 (empty if it does not run).
cli_version() {
    PULUMI_SKIP_UPDATE_CHECK=true "$1" "${2:-version}" 2>/dev/null | head -n1 | tr -d '[:space:]' ||
        true
}

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

# link_cli CLI DIR: put `pulumi` into DIR as a hard link to CLI (the engine looks for bundled
# plugins beside the binary it runs, after resolving symlinks), or as a symlink where a hard
# link is impossible (a CLI from PATH on another file system).
link_cli() {
    local cli=$1 dir=$2
    [ "$dir/pulumi" -ef "$cli" ] && return 0
    ln -f "$cli" "$dir/pulumi.tmp.$$" 2>/dev/null || ln -sf "$cli" "$dir/pulumi.tmp.$$"
    mv -fT "$dir/pulumi.tmp.$$" "$dir/pulumi"
}

# ------------------------------------------------------------------ the project's own host

PROJECT_HOST_SOURCE=$REPO_ROOT/scripts/pulumi_language_python.py
PROJECT_HOST_FILE=pulumi_ionoscr_language_python.py
OWN_MARK="written by pulumi-ionoscr's scripts/install-pulumi.sh"

# project_host CLI DIR: DIR/bin with `pulumi` and the project's host and dynamic-provider
# launcher (written here, not copied from Pulumi). Without $PYTHON, existing one-liners keep the
# interpreter they record.
project_host() {
    local cli=$1 bin=$2/bin py
    mkdir -p "$bin"
    link_cli "$cli" "$bin"
    cmp -s "$PROJECT_HOST_SOURCE" "$bin/$PROJECT_HOST_FILE" ||
        write_file "$bin/$PROJECT_HOST_FILE" "$(cat "$PROJECT_HOST_SOURCE")"
    if [ -z "${PYTHON:-}" ] && [ -f "$bin/pulumi-language-python" ] &&
        [ -f "$bin/pulumi-resource-pulumi-python" ]; then
        return 0
    fi
    py=$(printf '%q' "${PYTHON:-python3}")
    write_file "$bin/pulumi-language-python" "#!/bin/sh
# Python language host: runs Python programs and policy packs ($OWN_MARK).
exec \"\${PULUMI_PYTHON_CMD:-$py}\" -u \"\$(dirname \"\$0\")/$PROJECT_HOST_FILE\" \"\$@\""
    # Like upstream's launcher: the project's virtualenv (PULUMI_RUNTIME_VIRTUALENV, relative
    # to the project directory the engine starts it in) when it declares one.
    write_file "$bin/pulumi-resource-pulumi-python" "#!/bin/sh
# Pulumi resource plugin for Python dynamic providers ($OWN_MARK).
# The engine passes its address; pulumi.dynamic ignores arguments.
venv=\${PULUMI_RUNTIME_VIRTUALENV:-}
if [ -n \"\$venv\" ]; then
    case \$venv in /*) ;; *) venv=\$PWD/\$venv ;; esac
    [ -x \"\$venv/bin/python\" ] || { echo \"The 'virtualenv' option in Pulumi.yaml is set to \\\"\$venv\\\", but it is not a virtual environment.\" >&2; exit 1; }
    PATH=\$venv/bin:\$PATH VIRTUAL_ENV=\$venv exec \"\$venv/bin/python\" -u -m pulumi.dynamic \"\$@\"
fi
exec \"\${PULUMI_PYTHON_CMD:-$py}\" -u -m pulumi.dynamic \"\$@\""
}

# ------------------------------------------------------------------ builds

# Build environment: one set of Go caches for the CLI and the host (the host reuses most of
# the CLI's modules and compiled packages).
go_env() {
    export GOPATH=$CACHE_ROOT/go/path
    export GOMODCACHE=$CACHE_ROOT/go/mod
    export GOCACHE=$CACHE_ROOT/go/build
    export CGO_ENABLED=0 GO111MODULE=on GOWORK=off
    # -modcacherw: the module cache stays deletable with a plain rm -rf.
    export GOFLAGS="-modcacherw -buildvcs=false"
    mkdir -p "$GOPATH" "$GOMODCACHE" "$GOCACHE"
}

# take_lock: one build at a time per cache (held until exit; the Go tools do not inherit it).
LOCKED=0
take_lock() {
    [ "$LOCKED" = 1 ] && return 0
    if command -v flock >/dev/null 2>&1; then
        exec 9>"$CLI_ROOT/.lock"
        flock 9
    fi
    LOCKED=1
}

# run LOG CMD...: run a build step, appending its output to LOG.
run() {
    local build_log=$1; shift
    printf '+ %s\n' "$*" >>"$build_log"
    # 9>&-: the Go tools must not inherit the lock, or a build orphaned by a killed run holds it.
    "$@" >>"$build_log" 2>&1 9>&-
}

# build_failed LOG WHAT: keep the log and exit 4.
build_failed() {
    cp "$1" "$1.failed" 2>/dev/null || true
    tail -n 20 "$1" >&2
    die 4 "building $2 failed; see $1"
}

# A staging directory to remove if this run ends early.
STAGE=
trap '[ -z "$STAGE" ] || rm -rf "$STAGE"' EXIT
trap 'exit 130' INT TERM

# swap_into_place NEW TARGET: move NEW to TARGET with one rename, so an interrupted build never
# leaves a half directory; a previous TARGET is cleared first.
swap_into_place() {
    local new=$1 target=$2
    if [ -e "$target" ]; then
        rm -rf "$target.old.$$"
        mv "$target" "$target.old.$$"
    fi
    mv "$new" "$target"
    rm -rf "$target.old.$$"
}

cli_complete() { [ -f "$STAMP" ] && [ -x "$PREFIX/bin/pulumi" ]; }

# new_stage PARENT NAME: a staging directory for a build (cleared if this run ends early).
new_stage() {
    STAGE=$(mktemp -d "$1/.build-$2.XXXXXX")
    mkdir -p "$STAGE/src" "$STAGE/out/bin"
}

# go_build LOG WHAT OUT PACKAGE VERSION_ARG [MODULE@VERSION...]: build PACKAGE into OUT from a
# throwaway module in $STAGE/src against the CLI's own sdk/v3 and pkg/v3 release (the modules
# given are added as tools first), then check that `OUT VERSION_ARG` prints the release.
go_build() {
    local build_log=$1 what=$2 out=$3 package=$4 version_arg=$5 built_version
    shift 5
    (
        cd "$STAGE/src"
        run "$build_log" go mod init "local/$(basename "$out")-build"
        run "$build_log" go mod edit -replace "$CLIPBOARD_REPLACE"
        [ $# -eq 0 ] || run "$build_log" go get -tool "$@"
        run "$build_log" go get "$SDK_MODULE@$VERSION" "$PKG_MODULE@$VERSION"
        run "$build_log" go mod tidy
        run "$build_log" go build -trimpath -tags "$GO_BUILD_TAGS" \
            -ldflags "-s -w -X $SDK_MODULE/go/common/version.Version=$VERSION" -o "$out" "$package"
    ) || build_failed "$build_log" "$what"
    built_version=$(cli_version "$out" "$version_arg")
    [ "$built_version" = "$VERSION" ] ||
        die 5 "the built $what reports '${built_version}' instead of $VERSION"
}

# install_stage TARGET START BINARY WHAT STAMP: write the stamp (STAMP's lines, then Go version,
# date, build seconds, size of BINARY) and move $STAGE/out to TARGET in one rename.
install_stage() {
    local target=$1 start=$2 binary=$3 what=$4 stamp=$5 end size
    end=$(date +%s)
    size=$(stat -c %s "$binary")
    printf '%s\ngo=%s\nbuilt_at=%s\nbuild_seconds=%s\nbytes=%s\n' "$stamp" \
        "$(go env GOVERSION)" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$((end - start))" "$size" \
        >"$STAGE/out/.complete"
    swap_into_place "$STAGE/out" "$target"
    rm -rf "$STAGE"
    STAGE=
    log "installed $what in $((end - start))s, $size bytes ($((size / 1048576)) MiB)"
}

# build_cli: the CLI from the Go module proxy into $PREFIX (holding the lock).
build_cli() {
    local build_log=$CLI_ROOT/build-$VERSION.log start
    # Holding the lock, any staging directory left behind is from a killed build.
    rm -rf "$CLI_ROOT"/.build-* "$CLI_ROOT"/v*.old.*
    go_env
    new_stage "$CLI_ROOT" "$VERSION"
    log "building Pulumi CLI $VERSION from the Go module proxy ($(go env GOVERSION), $(nproc 2>/dev/null || echo '?') cores); log: $build_log"
    start=$(date +%s)
    : >"$build_log"
    go_build "$build_log" "pulumi $VERSION" "$STAGE/out/bin/pulumi" "$CLI_PACKAGE" version \
        "$CLI_PACKAGE@$VERSION"
    install_stage "$PREFIX" "$start" "$STAGE/out/bin/pulumi" "pulumi $VERSION" "version=$VERSION"
}

# upstream_digest: what the upstream host build depends on (its source files and the CLI
# release it is built against).
upstream_digest() {
    { printf '%s\n' "$VERSION"; (cd "$UPSTREAM_SRC" && cat "${UPSTREAM_FILES[@]}"); } |
        sha256sum | cut -d' ' -f1
}

upstream_complete() {
    local dir=$1 digest=${2:-}
    [ -f "$dir/.complete" ] && [ -x "$dir/bin/pulumi-language-python" ] || return 1
    [ -z "$digest" ] || grep -qx "source_sha256=$digest" "$dir/.complete"
}

# build_upstream_host CLI DIR DIGEST: build pulumi-language-python from $UPSTREAM_SRC against
# the CLI's release into DIR, beside a link to CLI (holding the lock).
build_upstream_host() {
    local cli=$1 dir=$2 digest=$3 start
    local build_log=$CLI_ROOT/build-upstream-host-$VERSION.log
    rm -rf "$(dirname "$dir")"/.build-upstream-host.*
    go_env
    new_stage "$(dirname "$dir")" upstream-host
    log "building the upstream Python language host from $UPSTREAM_SRC against $VERSION; log: $build_log"
    start=$(date +%s)
    : >"$build_log"
    cp "$UPSTREAM_SRC/main.go" "$STAGE/src/"
    go_build "$build_log" "Python language host" "$STAGE/out/bin/pulumi-language-python" . \
        -version
    install -m 755 "$UPSTREAM_SRC/pulumi-language-python-exec" \
        "$UPSTREAM_SRC/pulumi-resource-pulumi-python" "$STAGE/out/bin/"
    link_cli "$cli" "$STAGE/out/bin"
    install_stage "$dir" "$start" "$STAGE/out/bin/pulumi-language-python" \
        "the upstream Python language host" \
        "$(printf 'language_host=upstream\nbuilt_against=%s\nsource_sha256=%s' "$VERSION" "$digest")"
}

# ------------------------------------------------------------------ choosing

# with_host CLI BASE: print the directory holding CLI and the chosen language host under BASE,
# building the upstream host where needed, and exit.
with_host() {
    local cli=$1 base=$2 host=$HOST digest=
    if [ "$host" != project ] && [ -n "$UPSTREAM_SRC" ]; then
        digest=$(upstream_digest)
    fi
    if [ "$host" = auto ]; then
        if [ -n "$UPSTREAM_SRC" ] || upstream_complete "$base/upstream-host"; then
            host=upstream
        else
            host=project
        fi
    fi
    if [ "$host" = project ]; then
        project_host "$cli" "$base/project-host"
        log "using pulumi $VERSION with the project's Python language host (scripts/pulumi_language_python.py)"
        printf '%s\n' "$base/project-host/bin"
        exit 0
    fi
    if [ "$FORCE" = 1 ] || ! upstream_complete "$base/upstream-host" "$digest"; then
        [ -n "$UPSTREAM_SRC" ] || die 6 "no source for the upstream Python language host:" \
            "set PULUMI_LANGUAGE_PYTHON_SRC (see docs/engine.md) or use --language-host project"
        [ "$NO_BUILD" = 0 ] || die 3 "the upstream Python language host for $VERSION is not built yet (--no-build)"
        command -v go >/dev/null 2>&1 ||
            die 3 "no Go toolchain to build the upstream Python language host"
        take_lock
        # Another run may have built it while we waited.
        if [ "$FORCE" = 1 ] || ! upstream_complete "$base/upstream-host" "$digest"; then
            build_upstream_host "$cli" "$base/upstream-host" "$digest"
        fi
    fi
    link_cli "$cli" "$base/upstream-host/bin"
    log "using pulumi $VERSION with the upstream Python language host ($(grep -E '^build_seconds=' "$base/upstream-host/.complete" | cut -d= -f2)s build)"
    printf '%s\n' "$base/upstream-host/bin"
    exit 0
}

mkdir -p "$CLI_ROOT"

# 1. A recent enough pulumi on PATH (not one of our own directories).
if [ "$IGNORE_PATH" = 0 ] && found=$(command -v pulumi 2>/dev/null) &&
    real=$(readlink -f "$found") && [ "${real#"$CLI_ROOT"/}" = "$real" ]; then
    found_version=$(cli_version "$real")
    if [ -z "$found_version" ] || ! version_ge "$found_version" "$MIN_VERSION"; then
        log "ignoring pulumi on PATH (${found_version:-does not run}; need >= $MIN_VERSION)"
    elif [ -x "$(dirname "$real")/pulumi-language-python" ] && [ "$HOST" != project ]; then
        # A Pulumi release: its own language host and launchers are beside it.
        log "using pulumi $found_version from PATH ($real) with the language host beside it"
        printf '%s\n' "$(dirname "$real")"
        exit 0
    elif [ -x "$(dirname "$real")/pulumi-language-python" ] || [ -z "$UPSTREAM_SRC" ]; then
        # The project's host beside a link to it (through a symlink, the engine warns that it
        # takes the host from PATH rather than from beside the real binary).
        VERSION=$found_version
        project_host "$real" "$CLI_ROOT/path-$found_version/project-host"
        log "using pulumi $found_version from PATH ($real) with the project's Python language host"
        printf '%s\n' "$CLI_ROOT/path-$found_version/project-host/bin"
        exit 0
    else
        log "ignoring pulumi $found_version on PATH: it has no Python language host beside it" \
            "(using the pinned build with the upstream host instead)"
    fi
fi

# 2. A complete cached build; 3. a fresh one.
if [ "$FORCE" = 1 ] || ! cli_complete; then
    [ "$NO_BUILD" = 0 ] ||
        die 3 "no Pulumi CLI >= $MIN_VERSION on PATH and no cached build of $VERSION (--no-build)"
    command -v go >/dev/null 2>&1 ||
        die 3 "no Pulumi CLI >= $MIN_VERSION on PATH, no cached build, and no Go toolchain to build $VERSION"
    take_lock
    # Another run may have finished the build while we waited.
    if [ "$FORCE" = 1 ] || ! cli_complete; then
        build_cli
    else
        log "cached build $VERSION appeared while waiting"
    fi
fi
with_host "$PREFIX/bin/pulumi" "$PREFIX"
