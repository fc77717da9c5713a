#!/usr/bin/env bash
# The README's first command, run as a new user runs it on a fresh Debian: in a clean copy of the
# checkout, with Debian's own python3 (it refuses installs outside a virtual environment, PEP 668)
# and no `python` on the PATH. The command is read from the README, so the two cannot drift apart.
set -euo pipefail
cd "$(dirname "$0")/.."
command="$(awk '/^```bash$/ {getline; print; exit}' README.md)"
[ -n "$command" ] || { echo "README.md has no \`\`\`bash block at its top" >&2; exit 1; }

# A Debian PATH: the system's directories only (no pyenv, conda or ~/.local shims).
debian_path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
if env PATH="$debian_path" bash -c 'command -v python' >/dev/null 2>&1; then
    echo "note: this machine has a \`python\` on its system PATH; a fresh Debian has none" >&2
fi
env PATH="$debian_path" python3 -c 'import sys, sysconfig, pathlib
managed = (pathlib.Path(sysconfig.get_path("stdlib")) / "EXTERNALLY-MANAGED").exists()
print(f"python3: {sys.executable} {sys.version.split()[0]}, externally managed (PEP 668): {managed}")' >&2

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# tracked and new (not ignored) files: what a fresh clone of this tree would hold
git ls-files -z --cached --others --exclude-standard \
    | tar --null -T - --ignore-failed-read -cf - 2>/dev/null | tar -xf - -C "$work"

echo "+ $command" >&2
out="$(cd "$work" && env -i HOME="$HOME" PATH="$debian_path" LANG=C.UTF-8 COLUMNS=100 bash -c "$command" 2>&1)" || {
    printf '%s\n' "$out" | tail -40 >&2
    echo "the README's first command failed on a Debian-like python3 (above)" >&2
    exit 1
}
printf '%s\n' "$out" | grep -q '^Bottleneck: ' || {
    printf '%s\n' "$out" | tail -40 >&2
    echo "the README's first command ran but printed no diagnosis" >&2
    exit 1
}
printf '%s\n' "$out" | grep '^Bottleneck: ' >&2
echo "the README's first command works in a fresh virtual environment" >&2
