#!/usr/bin/env bash
# Proves that the README's two commands work on a fresh Debian machine.
#
# Builds a minimal Debian bookworm root with debootstrap (--variant=minbase: essential and
# required packages only), unpacks a clean `git archive` of HEAD into it, and runs each step of
# the README's two commands inside it through chroot, as root, timing every step. It ends with
#   PASS: ...                  every step succeeded, or
#   FAIL: `COMMAND` ...        naming the step that failed and the log kept for it.
#
# The Debian mirror comes from this machine's own apt sources (never from the repository);
# the check downloads every package setup.sh installs, so it takes minutes. It is not part of
# the test command; docs/development.md says when to run it.
#
# Usage (as root): bash scripts/fresh_machine_check.sh [--workdir DIR] [--keep-root]
#   --workdir DIR  where the root and the logs go (default: a new folder under /var/tmp);
#                  the logs stay after the run, the root is removed unless --keep-root.
#   --keep-root    leave the root in place (unmounted) for a look afterwards.
#
# Safety: only proc, sysfs, devpts and a tmpfs are mounted in the root (the host's /dev is never
# bound into it; debootstrap makes the root's own device nodes). On every exit path, Ctrl-C
# included, processes still running in the root are stopped, everything mounted under it is
# unmounted, and the root is removed only when nothing is mounted under it any more.
set -euo pipefail

# The whole script is one group, read before it runs: editing the file during a run (a checkout
# of another commit) cannot change what the run does.
{
# Numbers print with a decimal point whatever the caller's locale.
export LC_ALL=C
readonly suite=bookworm
readonly repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

workdir=""
keep_root=0
while [ $# -gt 0 ]; do
  case "$1" in
    --workdir)
      [ $# -ge 2 ] || { echo "fresh_machine_check: --workdir needs a folder" >&2; exit 2; }
      workdir="$2"
      shift 2
      ;;
    --keep-root) keep_root=1; shift ;;
    -h | --help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "fresh_machine_check: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

die() { echo "fresh_machine_check: $*" >&2; exit 2; }

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, mount and chroot need it)"
command -v git > /dev/null || die "git is needed to archive HEAD"
git -C "$repo_root" rev-parse --verify -q HEAD > /dev/null || die "$repo_root has no commit to check"

# --- where things go --------------------------------------------------------------------------
# The physical path (symbolic links resolved), as the kernel reports mount points and process
# roots: cleanup compares against it.
if [ -z "$workdir" ]; then
  workdir="$(mktemp -d /var/tmp/mpsim-fresh.XXXXXX)"
else
  mkdir -p "$workdir"
fi
workdir="$(cd "$workdir" && pwd -P)"
case "$workdir" in
  *[!A-Za-z0-9._/-]*)
    die "the work folder '$workdir' holds characters other than letters, digits and ._/-; choose another with --workdir" ;;
  / | /usr | /usr/* | /dev | /dev/* | /proc | /proc/* | /sys | /sys/*)
    die "refusing to work in '$workdir'" ;;
esac
readonly root="$workdir/root"
readonly logs="$workdir/logs"
[ ! -e "$root" ] || die "$root exists already; remove it or give another --workdir"
mkdir -p "$logs"

# --- cleanup on every exit path -------------------------------------------------------------
# Mount points at or under the root, deepest first (mountinfo's field 5; the root's path holds
# only letters, digits and ._/-, so no octal escapes can occur in it).
mounts_under_root() {
  awk -v r="$root" '$5 == r || index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo |
    awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-
}

stop_processes_in_root() {
  local p link any=0
  for sig in TERM KILL; do
    any=0
    for p in /proc/[0-9]*; do
      link="$(readlink "$p/root" 2> /dev/null)" || continue
      if [ "$link" = "$root" ] || [ "${link#"$root"/}" != "$link" ]; then
        kill "-$sig" "${p#/proc/}" 2> /dev/null && any=1
      fi
    done
    [ "$any" -eq 1 ] || return 0
    sleep 1
  done
}

# A process and everything it started (debootstrap runs on the host, not in the root).
children_of() {
  local f stat rest
  for f in /proc/[0-9]*/stat; do
    stat="$(cat "$f" 2> /dev/null)" || continue
    rest="${stat##*) }" # after the command name: state, ppid, ...
    rest="${rest#* }"
    if [ "${rest%% *}" = "$1" ]; then
      f="${f#/proc/}"
      echo "${f%/stat}"
    fi
  done
}
tree_of() {
  local child
  echo "$1"
  for child in $(children_of "$1"); do
    tree_of "$child"
  done
}
running() {
  local stat
  stat="$(cat "/proc/$1/stat" 2> /dev/null)" || return 1
  stat="${stat##*) }"
  [ "${stat%% *}" != Z ]
}
# TERM to the whole tree, then up to 10 s for it to end, then KILL: nothing of a step may still
# write into the root when it is removed.
stop_tree() {
  local pids p i alive
  pids="$(tree_of "$1")"
  kill -TERM $pids 2> /dev/null
  for i in $(seq 20); do
    alive=0
    for p in $pids; do
      running "$p" && alive=1
    done
    [ "$alive" -eq 1 ] || break
    sleep 0.5
  done
  kill -KILL $pids 2> /dev/null
  wait "$1" 2> /dev/null
}

cleanup() {
  local status=$?
  # A second Ctrl-C must not cut the cleanup short with things still mounted.
  trap '' INT TERM HUP
  trap - EXIT
  set +e
  if [ -n "${step_pid:-}" ]; then
    stop_tree "$step_pid"
    echo "stopped"
  fi
  if [ -d "$root" ]; then
    stop_processes_in_root
    local m
    for m in $(mounts_under_root); do
      umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null
    done
    local left
    left="$(mounts_under_root)"
    if [ -n "$left" ]; then
      echo "fresh_machine_check: NOT removing $root: still mounted there:" >&2
      echo "$left" | sed 's/^/  /' >&2
      status=1
    elif [ "$keep_root" -eq 1 ]; then
      echo "root kept (unmounted): $root"
    else
      # --one-file-system: even if a mount appeared after the check, rm does not cross into it.
      rm -rf --one-file-system "$root"
    fi
  fi
  echo "logs: $logs"
  exit "$status"
}
trap cleanup EXIT
trap 'echo "fresh_machine_check: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# --- timing and reporting -------------------------------------------------------------------
declare -a summary=()
step_pid=""
now() { date +%s.%N; }
seconds_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# run_step NAME LOG COMMAND...: runs a command with its output in LOG, prints its wall time, and
# ends the check with FAIL naming the command when it fails.
run_step() {
  local name="$1" log="$2"
  shift 2
  local t0 secs rc=0
  printf '%-72s ' "$name"
  t0="$(now)"
  # In the background and waited for, so that a signal runs the traps at once instead of when
  # the step ends; cleanup stops the step's processes.
  "$@" > "$log" 2>&1 &
  step_pid=$!
  wait "$step_pid" || rc=$?
  step_pid=""
  secs="$(seconds_since "$t0")"
  summary+=("$(printf '%8.1f s  %s' "$secs" "$name")")
  if [ "$rc" -ne 0 ]; then
    printf '%8.1f s  failed (exit %d)\n' "$secs" "$rc"
    echo "---- last lines of $log ----"
    tail -n 25 "$log"
    echo "FAIL: \`$name\` exited with $rc; log kept: $log"
    exit 1
  fi
  printf '%8.1f s\n' "$secs"
}

# --- the Debian mirror, from this machine's apt sources -------------------------------------
# "URI SUITE" of every source of the Debian archive (Release origin "Debian", so no third-party
# repository) serving $suite, $suite-updates or $suite-security, as apt itself reads them.
debian_sources_from_apt() {
  apt-cache policy 2> /dev/null | awk -v s="$suite" '
    /^ *[0-9]+ (https?|ftp|file):/ { uri = $2; dist = $3; sub(/\/.*/, "", dist); next }
    /^ +release / && uri != "" {
      if ($0 ~ /o=Debian,/ && (dist == s || dist == s "-updates" || dist == s "-security"))
        print uri, dist
      uri = ""
    }' | sort -u -k2,2
}
# Without apt's lists (apt-get update never ran): the sources files, keeping only URIs that
# end in /debian or /debian-security.
debian_sources_from_files() {
  local f
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -f "$f" ] || continue
    awk '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; uris = ""; suites = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^Types:/) types = $i
          if ($i ~ /^URIs:/) uris = $i
          if ($i ~ /^Suites:/) suites = $i
          if ($i ~ /^Enabled:[ \t]*no/) enabled = "no"
        }
        if (enabled != "yes" || types !~ /(^|[ \t])deb([ \t]|$)/) next
        sub(/^URIs:[ \t]*/, "", uris); sub(/^Suites:[ \t]*/, "", suites)
        n = split(uris, u, /[ \t]+/); m = split(suites, d, /[ \t]+/)
        for (j = 1; j <= n; j++) for (k = 1; k <= m; k++) print u[j], d[k]
      }' "$f"
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -f "$f" ] || continue
    awk '$1 == "deb" { i = 2; if ($2 ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                       print $i, $(i + 1) }' "$f"
  done
}
debian_sources() {
  local found
  found="$(debian_sources_from_apt)"
  if [ -z "$found" ]; then
    found="$(debian_sources_from_files | awk -v s="$suite" '
      ($1 ~ /\/debian\/?$/ && ($2 == s || $2 == s "-updates")) ||
      ($1 ~ /\/debian-security\/?$/ && $2 == s "-security")' | sort -u -k2,2)"
  fi
  echo "$found"
}
sources="$(debian_sources)"
mirror="$(echo "$sources" | awk -v s="$suite" '$2 == s { print $1; exit }')"
security="$(echo "$sources" | awk -v s="$suite" '$2 == s "-security" { print $1; exit }')"
[ -n "$mirror" ] || die "this machine's apt sources name no '$suite' source of the Debian archive"

# The root's apt reads the same Debian archive as this machine (main; with $suite-updates and
# security), with this machine's Acquire settings (a proxy, validity checks), as a fresh
# install here would.
write_apt_config() {
  rm -f "$root/etc/apt/sources.list"
  {
    printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\nComponents: main\n' \
      "$mirror" "$suite" "$suite"
    printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    if [ -n "$security" ]; then
      printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\nComponents: main\n' \
        "$security" "$suite"
      printf 'Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
    fi
  } > "$root/etc/apt/sources.list.d/debian.sources"
  local f
  for f in /etc/apt/apt.conf.d/*; do
    [ -f "$f" ] && grep -q '^[[:space:]]*Acquire' "$f" && cp "$f" "$root/etc/apt/apt.conf.d/"
  done
  cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2> /dev/null || true
}

mount_pseudo_filesystems() {
  mount -t proc proc "$root/proc"
  mount -t sysfs -o ro sysfs "$root/sys"
  mkdir -p "$root/dev/pts" "$root/dev/shm"
  mount -t devpts -o newinstance,ptmxmode=0666 devpts "$root/dev/pts"
  mount -t tmpfs -o mode=1777 shm "$root/dev/shm"
}

unpack_head() {
  mkdir -p "$root/root/mpsim"
  git -C "$repo_root" archive --format=tar HEAD | tar -x -C "$root/root/mpsim"
}

# Runs a command in the root as a fresh login would: an empty environment but for the basics
# (and this machine's proxy settings, which apt in the root needs as apt here does).
in_root() {
  local -a env=(HOME=/root LANG=C.UTF-8 TERM=dumb
    PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
  local v
  for v in http_proxy https_proxy ftp_proxy no_proxy HTTP_PROXY HTTPS_PROXY FTP_PROXY NO_PROXY; do
    [ -z "${!v:-}" ] || env+=("$v=${!v}")
  done
  chroot "$root" /usr/bin/env -i "${env[@]}" /bin/bash -c "cd /root/mpsim && $1"
}

# The README's two commands: the indented lines that start with `bash scripts/setup.sh`.
mapfile -t readme_commands < <(git -C "$repo_root" show HEAD:README.md |
  sed -n 's/^    \(bash scripts\/setup\.sh .*\)$/\1/p')
[ "${#readme_commands[@]}" -eq 2 ] ||
  die "expected the README to give exactly two commands starting 'bash scripts/setup.sh' (indented four spaces); found ${#readme_commands[@]}"

echo "fresh_machine_check: HEAD $(git -C "$repo_root" rev-parse --short HEAD) on a fresh Debian $suite from $mirror"
if [ -n "$(git -C "$repo_root" status --porcelain --untracked-files=no)" ]; then
  echo "fresh_machine_check: note: uncommitted changes are not part of the check (it archives HEAD)"
fi
echo "work folder: $workdir"

# --- the run ----------------------------------------------------------------------------------
if ! command -v debootstrap > /dev/null; then
  run_step "apt-get install -y debootstrap (on this machine)" "$logs/00-install-debootstrap.log" \
    env DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap
fi
run_step "debootstrap --variant=minbase $suite" "$logs/01-debootstrap.log" \
  debootstrap --variant=minbase "$suite" "$root" "$mirror"
write_apt_config
mount_pseudo_filesystems
run_step "git archive HEAD into the root" "$logs/02-archive.log" unpack_head

step_no=3
tests_line=""
for c in 0 1; do
  IFS=$'\n' read -r -d '' -a steps < <(echo "${readme_commands[$c]}" | sed 's/ && /\n/g' && printf '\0')
  for s in "${steps[@]}"; do
    log="$(printf '%s/%02d-%s.log' "$logs" "$step_no" "$(echo "$s" | tr -c 'A-Za-z0-9._-' '_' | cut -c1-40)")"
    run_step "$s" "$log" in_root "$s"
    case "$s" in ctest*) tests_line="$(grep -E 'tests passed|tests failed' "$log" | tail -n 1)" ;; esac
    case "$s" in bash\ scripts/setup.sh) [ "$c" -eq 0 ] && setup_log="$log" ;; esac
    step_no=$((step_no + 1))
  done
done

download="$(grep -E '^(Need to get|Get more than)' "${setup_log:-/dev/null}" | tail -n 1 || true)"
echo
echo "steps (wall time):"
printf '  %s\n' "${summary[@]}"
[ -z "$download" ] || echo "setup downloaded: ${download#Need to get }"
echo "root size after the run: $(du -sh --one-file-system "$root" | cut -f1)"
echo "PASS: the README's two commands succeed on a fresh Debian $suite (${tests_line:-no ctest summary found})"
exit 0
}
