#!/usr/bin/env bash
# Release archives and filled krew manifests for the Shipshape plugins.
#
#   krew/package.sh                                  # release build for the host, archives into dist/
#   krew/package.sh --target x86_64-unknown-linux-musl --target aarch64-unknown-linux-musl
#   krew/package.sh --bin-dir target/debug --plugin harden --dist /tmp/dist   # no build (tests)
#   krew/package.sh --manifests-only                 # fill manifests from the archives in dist/
#   krew/package.sh --manifests-only --update-manifests   # release: write them back to krew/
#
# For every plugin and target it writes
#
#   dist/kubectl-<name>_v<version>_<os>_<arch>.tar.gz    kubectl-<name> and its completion helper
#                                                        kubectl_complete-<name> (.exe on Windows),
#                                                        LICENSE, README.md, kubectl-<name>.1 (man
#                                                        page), completions/ (the plugin's bash,
#                                                        zsh, fish and PowerShell scripts)
#   dist/kubectl-<name>_v<version>_<os>_<arch>.tar.gz.sha256
#   dist/sha256sums.txt                                  every archive of this version in dist/
#   dist/krew/<name>.yaml                                krew/<name>.yaml with version, uri and
#                                                        sha256 filled in, for the platforms whose
#                                                        archives are in dist/ (others are left out)
#
# The archives have no top-level directory, so the manifests' `files` and `bin` name the files
# directly. They are reproducible for identical binaries: sorted entries, owner 0, mtime
# SOURCE_DATE_EPOCH (default: the last commit's time), gzip without a name or timestamp.
#
# The version is `[workspace.package] version` in Cargo.toml; the release tag is v<version> and
# the archives are assets of that GitHub release under `[workspace.package] repository`.
#
# Manifests. krew/<name>.yaml is committed and always a valid manifest: every release rewrites its
# version, uri and sha256 (`--update-manifests`, which insists on all of the manifest's platforms
# being in dist/), and that file is what goes to krew-index (the first version by hand; later
# version bumps are auto-merged there). Until a release has run it, the committed sha256 values
# are placeholders (64 zeros); install your own builds with the filled dist/krew/<name>.yaml.
# sha256 values are quoted: unquoted, a hash of digits (and one `e`) would read as a YAML number.
#
# Cross builds (release archives for every platform of the manifests):
#
#   rustup target add x86_64-unknown-linux-musl aarch64-unknown-linux-musl \
#       x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-gnu
#   krew/package.sh --target x86_64-unknown-linux-musl --target aarch64-unknown-linux-musl \
#       --target x86_64-pc-windows-gnu            # on Linux, with a cross linker for each:
#                                                 # musl-tools and gcc-aarch64-linux-gnu (set
#                                                 # CARGO_TARGET_AARCH64_UNKNOWN_LINUX_MUSL_LINKER),
#                                                 # mingw-w64 for windows-gnu; or `cross`
#   krew/package.sh --target x86_64-apple-darwin --target aarch64-apple-darwin   # on macOS
#
# Each target runs `cargo build --release --locked --target <triple> -p kubectl-<name>…`; the
# binaries are in target/<triple>/release. Prefer the static musl targets for Linux releases
# (rustls and ring, no OpenSSL, so they link statically). Man pages are platform independent and
# come from running the host's build (`--generate man`), so a cross build also builds the host.
# When the per-platform archives come from several machines (a CI matrix), collect them in one
# dist/ and run `krew/package.sh --manifests-only --update-manifests` there.
#
# Needs bash, GNU tar, gzip, sha256sum (or shasum), awk and cargo. Run it from anywhere.

set -euo pipefail

usage() {
    sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'
    cat <<'EOF'

Options:
  --target TRIPLE       build and package this Rust target (repeatable; default: the host)
  --bin-dir DIR         package the binaries in DIR instead of building (one target)
  --host-bin-dir DIR    host binaries that print the man pages for cross targets
                        (default: target/release, built when needed)
  --plugin NAME         only this plugin (repeatable; default: harden quota canary drtest)
  --dist DIR            output directory (default: dist/ in the repository)
  --gzip-level N        gzip compression level, 1-9 (default 9)
  --manifests-only      build nothing, package nothing: fill manifests from dist/
  --update-manifests    also write the filled manifests to krew/<name>.yaml (release)
  -h, --help            this help
EOF
}

die() {
    echo "package.sh: error: $*" >&2
    exit 1
}

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo_root"

targets=()
plugins=()
bin_dir=""
host_bin_dir=""
dist="$repo_root/dist"
gzip_level=9
manifests_only=false
update_manifests=false

while [[ $# -gt 0 ]]; do
    case "$1" in
        --target) targets+=("${2:?--target needs a triple}"); shift 2 ;;
        --target=*) targets+=("${1#*=}"); shift ;;
        --bin-dir) bin_dir="${2:?--bin-dir needs a directory}"; shift 2 ;;
        --bin-dir=*) bin_dir="${1#*=}"; shift ;;
        --host-bin-dir) host_bin_dir="${2:?--host-bin-dir needs a directory}"; shift 2 ;;
        --host-bin-dir=*) host_bin_dir="${1#*=}"; shift ;;
        --plugin) plugins+=("${2:?--plugin needs a name}"); shift 2 ;;
        --plugin=*) plugins+=("${1#*=}"); shift ;;
        --dist) dist="${2:?--dist needs a directory}"; shift 2 ;;
        --dist=*) dist="${1#*=}"; shift ;;
        --gzip-level) gzip_level="${2:?--gzip-level needs a number}"; shift 2 ;;
        --gzip-level=*) gzip_level="${1#*=}"; shift ;;
        --manifests-only) manifests_only=true; shift ;;
        --update-manifests) update_manifests=true; shift ;;
        -h | --help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" ;;
    esac
done

[[ "$gzip_level" =~ ^[1-9]$ ]] || die "--gzip-level must be 1-9, not '$gzip_level'"
[[ ${#plugins[@]} -gt 0 ]] || plugins=(harden quota canary drtest)
for name in "${plugins[@]}"; do
    [[ -f "krew/$name.yaml" && -d "plugins/$name" ]] || die "unknown plugin '$name'"
done

# --- version and repository: [workspace.package] in Cargo.toml --------------------------------

workspace_key() {
    awk -v key="$1" '
        /^\[/ { section = $0; next }
        section == "[workspace.package]" && $1 == key && $2 == "=" {
            value = $0
            sub(/^[^=]*=[ \t]*"/, "", value)
            sub(/".*$/, "", value)
            print value
            exit
        }' Cargo.toml
}

version=$(workspace_key version)
repository=$(workspace_key repository)
[[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+].*)?$ ]] ||
    die "no semver [workspace.package] version in Cargo.toml (found '$version')"
[[ "$repository" == https://github.com/* ]] ||
    die "[workspace.package] repository in Cargo.toml is not a GitHub URL ('$repository')"
repository=${repository%/}
for name in "${plugins[@]}"; do
    grep -q '^version.workspace = true' "plugins/$name/Cargo.toml" ||
        die "plugins/$name/Cargo.toml does not take the workspace version (version.workspace = true)"
done
tag="v$version"

if command -v sha256sum >/dev/null; then
    sha256() { sha256sum "$1" | awk '{print $1}'; }
else
    sha256() { shasum -a 256 "$1" | awk '{print $1}'; }
fi

host=$(rustc -vV | awk '$1 == "host:" {print $2}')
[[ -n "$host" ]] || die "rustc -vV reports no host triple"

# Sets os, arch and exe (the executable suffix) for a Rust target triple, in krew's (Go's) names.
platform_of() {
    exe=""
    case "$1" in
        x86_64-*) arch=amd64 ;;
        aarch64-*) arch=arm64 ;;
        *) die "no krew platform for target '$1' (supported: x86_64-* and aarch64-*)" ;;
    esac
    case "$1" in
        *-linux-*) os=linux ;;
        *-apple-darwin) os=darwin ;;
        *-windows-*) os=windows; exe=.exe ;;
        *) die "no krew platform for target '$1' (supported: linux, darwin, windows)" ;;
    esac
}

archive_name() { # name os arch
    echo "kubectl-$1_${tag}_$2_$3.tar.gz"
}

mkdir -p "$dist"
dist=$(cd "$dist" && pwd)

# --- build and package ---------------------------------------------------------------------

cargo_build() { # [--target TRIPLE]
    local args=(build --release --locked "$@")
    for name in "${plugins[@]}"; do args+=(-p "kubectl-$name"); done
    echo "package.sh: cargo ${args[*]}" >&2
    cargo "${args[@]}"
}

# The man page of one plugin, from a binary that runs here.
man_page() { # binary output
    if ! "$1" --generate man >"$2" 2>"$2.err" || ! grep -q '^\.TH' "$2"; then
        cat "$2.err" >&2
        die "'$1 --generate man' did not print a man page"
    fi
    rm -f "$2.err"
}

package() { # target bin_dir man_bin_dir
    local target=$1 dir=$2 man_dir=$3 os arch exe mode
    platform_of "$target"
    for name in "${plugins[@]}"; do
        local bin="$dir/kubectl-$name$exe" helper="$dir/kubectl_complete-$name$exe" archive stage
        [[ -x "$bin" ]] || die "$bin is missing or not executable"
        [[ -x "$helper" ]] || die "$helper (kubectl's completion helper) is missing or not executable"
        archive=$(archive_name "$name" "$os" "$arch")
        stage=$(mktemp -d "$dist/.stage.XXXXXX")
        chmod 0755 "$stage"
        # shellcheck disable=SC2064 # expand now: the trap runs after `stage` is gone
        trap "rm -rf '$stage'" EXIT
        install -m 0755 "$bin" "$stage/kubectl-$name$exe"
        install -m 0755 "$helper" "$stage/kubectl_complete-$name$exe"
        install -m 0644 LICENSE "$stage/LICENSE"
        install -m 0644 README.md "$stage/README.md"
        man_page "$man_dir/kubectl-$name" "$stage/kubectl-$name.1"
        chmod 0644 "$stage/kubectl-$name.1"
        mkdir "$stage/completions"
        local found=false file
        for file in completions/*"-$name" completions/*"-$name".*; do
            [[ -f "$file" && "$file" != *.1 ]] || continue
            found=true
            if [[ -x "$file" ]]; then mode=0755; else mode=0644; fi
            install -m "$mode" "$file" "$stage/completions/"
        done
        $found || die "completions/ has no scripts for $name (completions/generate.sh writes them)"
        tar --create --directory "$stage" --sort=name --format=gnu \
            --owner=0 --group=0 --numeric-owner --mtime="@$source_date_epoch" \
            --file=- . | gzip -n "-$gzip_level" >"$dist/$archive.tmp"
        mv "$dist/$archive.tmp" "$dist/$archive"
        rm -rf "$stage"
        trap - EXIT
        (cd "$dist" && echo "$(sha256 "$archive")  $archive" >"$archive.sha256")
        echo "package.sh: $dist/$archive" >&2
    done
}

if ! $manifests_only; then
    [[ -f LICENSE ]] || die "LICENSE is missing at the repository root"
    source_date_epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}
    [[ ${#targets[@]} -gt 0 ]] || targets=("$host")
    # Where cargo builds (CARGO_TARGET_DIR and build.target-dir included).
    target_root=$(cargo metadata --format-version 1 --no-deps |
        sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
    [[ -n "$target_root" ]] || target_root="$repo_root/target"
    if [[ -n "$bin_dir" ]]; then
        [[ ${#targets[@]} -eq 1 ]] || die "--bin-dir packages one target; give at most one --target"
        [[ -d "$bin_dir" ]] || die "--bin-dir $bin_dir is not a directory"
        bin_dir=$(cd "$bin_dir" && pwd)
        if [[ "${targets[0]}" == "$host" ]]; then
            package "$host" "$bin_dir" "${host_bin_dir:-$bin_dir}"
        else
            package "${targets[0]}" "$bin_dir" "${host_bin_dir:-$target_root/release}"
        fi
    else
        needs_host=false
        for target in "${targets[@]}"; do
            platform_of "$target"
            [[ "$target" == "$host" ]] || needs_host=true
        done
        if $needs_host && [[ -z "$host_bin_dir" ]]; then
            cargo_build # host binaries for the man pages
        fi
        for target in "${targets[@]}"; do
            if [[ "$target" == "$host" ]]; then
                cargo_build
                package "$host" "$target_root/release" "${host_bin_dir:-$target_root/release}"
            else
                cargo_build --target "$target"
                package "$target" "$target_root/$target/release" "${host_bin_dir:-$target_root/release}"
            fi
        done
    fi
fi

# --- checksums and manifests ---------------------------------------------------------------

shopt -s nullglob
archives=("$dist"/kubectl-*_"${tag}"_*.tar.gz)
[[ ${#archives[@]} -gt 0 ]] || die "no archives of $tag in $dist"
(
    cd "$dist"
    for archive in "${archives[@]}"; do
        archive=${archive##*/}
        echo "$(sha256 "$archive")  $archive"
    done
) >"$dist/sha256sums.txt"

# krew/<name>.yaml with version, uri and sha256 set from dist/; a platform whose archive is not
# in dist/ is dropped. Writes the number of platforms kept and dropped to the file `counts`. With
# a `header`, that replaces the comment lines at the top.
fill_manifest() { # name output counts [header]
    awk -v name="$1" -v tag="$tag" -v dist="$dist" -v base="$repository/releases/download/$tag" \
        -v counts="$3" -v header="${4:-}" '
        function replace_all(s, from, to,    out, i) {
            out = ""
            while ((i = index(s, from)) > 0) {
                out = out substr(s, 1, i - 1) to
                s = substr(s, i + length(from))
            }
            return out s
        }
        function flush(    i, os, arch, archive, line, sum) {
            if (n == 0) return
            for (i = 1; i <= n; i++) {
                if (block[i] ~ /^ +os: /) { os = block[i]; sub(/^ +os: */, "", os) }
                if (block[i] ~ /^ +arch: /) { arch = block[i]; sub(/^ +arch: */, "", arch) }
            }
            archive = "kubectl-" name "_" tag "_" os "_" arch ".tar.gz"
            sum = ""
            if ((getline line < (dist "/" archive ".sha256")) > 0) {
                split(line, parts, " ")
                sum = parts[1]
            }
            close(dist "/" archive ".sha256")
            if (sum == "") { dropped++; n = 0; return }
            kept++
            for (i = 1; i <= n; i++) {
                line = block[i]
                if (line ~ /^ +uri: /) { sub(/uri: .*/, "uri: " base "/" archive, line) }
                if (line ~ /^ +sha256: /) { sub(/sha256: .*/, "sha256: \"" sum "\"", line) }
                print line
            }
            n = 0
        }
        NR == 1 { kept = 0; dropped = 0; n = 0; top = 1; if (header != "") print header }
        top && /^#/ { if (header == "") print; next }
        { top = 0 }
        /^  version: / { old = $2; print "  version: " tag; next }
        {
            if (old != "") $0 = replace_all($0, old, tag)
            if (in_platforms) {
                if ($0 ~ /^    - /) { flush(); block[++n] = $0; next }
                if ($0 ~ /^     / || $0 ~ /^[ \t]*$/) { if (n > 0) { block[++n] = $0; next } }
                else { flush(); in_platforms = 0 }
            }
            if ($0 ~ /^  platforms:/) in_platforms = 1
            print
        }
        END { flush(); print kept, dropped > counts }
    ' "krew/$1.yaml" >"$2"
}

mkdir -p "$dist/krew"
status=0
for manifest in krew/*.yaml; do
    name=$(basename "$manifest" .yaml)
    [[ -n $(compgen -G "$dist/kubectl-${name}_${tag}_*.tar.gz.sha256" || true) ]] || continue
    counts=$(mktemp)
    fill_manifest "$name" "$dist/krew/$name.yaml" "$counts" \
        "# krew/$name.yaml filled in by krew/package.sh for the archives next to this directory."
    read -r kept dropped <"$counts"
    echo "package.sh: $dist/krew/$name.yaml (platforms: $kept; without an archive, left out: $dropped)" >&2
    if $update_manifests; then
        if [[ "$dropped" -ne 0 ]]; then
            echo "package.sh: error: not updating krew/$name.yaml: $dropped of its platforms have no archive in $dist" >&2
            status=1
        else
            fill_manifest "$name" "$manifest.tmp" "$counts"
            mv "$manifest.tmp" "$manifest"
            echo "package.sh: updated $manifest" >&2
        fi
    fi
    rm -f "$counts"
done
exit $status
