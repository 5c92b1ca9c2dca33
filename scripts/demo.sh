#!/usr/bin/env bash
# `make demo`: examples/quickstart under the real Pulumi engine, against the local emulator.
#
# Starts the emulator on a free port, runs `pulumi up` of a copy of examples/quickstart in a
# temporary Pulumi home with a file backend, prints the stack outputs (secrets stay [secret]),
# runs `pulumi destroy`, checks the emulator holds nothing, and cleans up on any exit.
# The copy runs as a user's project does: in the `venv` its Pulumi.yaml names (a link to the
# venv of $PYTHON), with no PULUMI_PYTHON_CMD.
# Never talks to the real IONOS API: the endpoint is the emulator and IONOS_* are unset.
#
# Environment: PYTHON  interpreter with pulumi-ionoscr[emulator] installed (default .venv/bin/python)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-$ROOT/.venv/bin/python}

if [ -t 1 ]; then BOLD=$'\033[1m' PLAIN=$'\033[0m'; else BOLD='' PLAIN=''; fi
step() { printf '\n%s==> %s%s\n' "$BOLD" "$*" "$PLAIN"; }
die() { printf 'demo: %s\n' "$*" >&2; exit 1; }

[ -x "$PYTHON" ] || die "no Python at $PYTHON; run 'make demo' (it creates .venv) or set PYTHON"
"$PYTHON" -c 'import pulumi_ionoscr.emulator' 2>/dev/null ||
    die "$PYTHON cannot import pulumi_ionoscr.emulator; install the package with its emulator extra"

step "Pulumi CLI"
rc=0
cli_out=$(PYTHON="$PYTHON" bash "$ROOT/scripts/install-pulumi.sh") || rc=$?
case $rc in
    0) cli_dir=$(printf '%s\n' "$cli_out" | tail -n1) ;;
    3) die "no Pulumi CLI: put pulumi >= 3.272 on PATH, or install Go so scripts/install-pulumi.sh can build one" ;;
    *) die "scripts/install-pulumi.sh failed (exit $rc, see its messages above)" ;;
esac
PATH="$cli_dir:$PATH"
pulumi version

WORK=$(mktemp -d "${TMPDIR:-/tmp}/ionoscr-demo.XXXXXX")
EMULATOR_PID=
cleanup() {
    if [ -n "$EMULATOR_PID" ] && kill -0 "$EMULATOR_PID" 2>/dev/null; then
        kill "$EMULATOR_PID" 2>/dev/null || true
        wait "$EMULATOR_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step "Emulator"
"$PYTHON" -m pulumi_ionoscr.emulator --host 127.0.0.1 --port 0 \
    >"$WORK/emulator.out" 2>"$WORK/emulator.err" &
EMULATOR_PID=$!
for _ in $(seq 100); do
    [ -s "$WORK/emulator.out" ] && break
    kill -0 "$EMULATOR_PID" 2>/dev/null || { cat "$WORK/emulator.err" >&2; die "the emulator exited"; }
    sleep 0.1
done
ENDPOINT=$(head -n1 "$WORK/emulator.out")
[ -n "$ENDPOINT" ] || die "the emulator printed no URL within 10 s"
echo "IONOS Container Registry API emulator at $ENDPOINT"

# An isolated Pulumi: its own home, a file backend, a passphrase for secrets, no downloads;
# no IONOS credentials from the caller's environment.
unset IONOS_TOKEN IONOS_USERNAME IONOS_PASSWORD IONOS_CONTRACT_NUMBER IONOSCR_ENDPOINT
export PULUMI_HOME=$WORK/pulumi-home
export PULUMI_BACKEND_URL=file://$WORK/backend
export PULUMI_CONFIG_PASSPHRASE=ionoscr-demo
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
unset PULUMI_PYTHON_CMD
mkdir -p "$PULUMI_HOME" "$WORK/backend" "$WORK/quickstart"
# A copy, so no Pulumi.<stack>.yaml lands in the repository; its venv is the project's.
cp "$ROOT/examples/quickstart/Pulumi.yaml" "$ROOT/examples/quickstart/__main__.py" "$WORK/quickstart/"
ln -s "$("$PYTHON" -c 'import sys; print(sys.prefix)')" "$WORK/quickstart/venv"
cd "$WORK/quickstart"

step "pulumi stack init demo"
pulumi stack init demo --secrets-provider passphrase
pulumi config set ionoscr:endpoint "$ENDPOINT"
pulumi config set --secret ionoscr:token demo-token-not-a-real-one

step "pulumi up"
pulumi up --yes --skip-preview

step "pulumi stack output (secrets stay secret)"
pulumi stack output

step "The state file: secrets are ciphertext"
pulumi stack export --file "$WORK/state.json"
password=$(pulumi stack output --show-secrets token_password)
[ -n "$password" ] || die "the stack has no token password"
! grep -qF -- "$password" "$WORK/state.json" || die "the token password is in the state in plain text"
echo "$(grep -c '"ciphertext"' "$WORK/state.json") encrypted values; the token password does not appear in plain text"

step "pulumi destroy"
pulumi destroy --yes --skip-preview --remove

step "Emulator state after destroy"
"$PYTHON" - "${ENDPOINT%/containerregistries}" <<'EOF'
import json, sys, urllib.request

with urllib.request.urlopen(f"{sys.argv[1]}/_emulator/state", timeout=10) as answer:
    registries = json.load(answer)["registries"]
if registries:
    sys.exit(f"demo: the emulator still holds {len(registries)} registries: {registries}")
print("the emulator holds no registries and no tokens")
EOF

step "Done: stopping the emulator, removing the temporary Pulumi home and state"
