#!/usr/bin/env bash
# Dispatch overhead of one remote command on loopback: farmctl's SSHTransport (libssh2, one reused session)
# against OpenSSH's ssh with and without ControlMaster, interleaved, release build. Starts its own sshd on
# 127.0.0.x in a private mount namespace with an empty file over /root/.bashrc (root's real one starts pyenv),
# and stops it (and the ControlMaster) by PID at the end.
#
# Usage: run.sh [N]   N: commands per variant (default 200). Environment: ADDR (default random 127.0.0.10-199).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
N="${1:-200}"
ADDR="${ADDR:-127.0.0.$((RANDOM % 190 + 10))}"
export PATH="/opt/swift/usr/bin:$PATH"
[[ $ADDR == 127.* ]] || { echo "ADDR must be in 127.0.0.0/8" >&2; exit 2; }

swift build -c release --package-path "$HERE" >&2
WORK="$(mktemp -d /tmp/dispatch-bench.XXXXXX)"
SSHD_PID="" MASTER_PID=""

cleanup() {
    if [[ -n $MASTER_PID ]]; then
        ssh -F /dev/null -o ControlPath="$WORK/cm.sock" -O exit "root@$ADDR" 2>/dev/null || kill "$MASTER_PID" 2>/dev/null || true
        wait "$MASTER_PID" 2>/dev/null || true
    fi
    if [[ -n $SSHD_PID ]]; then
        for _ in $(seq 50); do pgrep -P "$SSHD_PID" >/dev/null || break; sleep 0.1; done  # sessions end first
        kill -TERM "$SSHD_PID" 2>/dev/null || true
        wait "$SSHD_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT

for key in ssh_host_ed25519_key:ed25519 ssh_host_ecdsa_key:ecdsa id_ed25519:ed25519; do
    ssh-keygen -q -t "${key#*:}" -N '' -C dispatch-bench -f "$WORK/${key%:*}"
done
cp "$WORK/id_ed25519.pub" "$WORK/authorized_keys"
: >"$WORK/empty"
PORT="$(python3 -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1], 0)); print(s.getsockname()[1])' "$ADDR")"
echo "[$ADDR]:$PORT $(cut -d' ' -f1,2 "$WORK/ssh_host_ed25519_key.pub")" >"$WORK/known_hosts"
cat >"$WORK/sshd_config" <<CONFIG
ListenAddress $ADDR
Port $PORT
HostKey $WORK/ssh_host_ed25519_key
HostKey $WORK/ssh_host_ecdsa_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AuthorizedKeysFile $WORK/authorized_keys
StrictModes no
Subsystem sftp internal-sftp
PidFile $WORK/sshd.pid
LogLevel ERROR
CONFIG
mkdir -p /run/sshd
unshare -m --propagation private sh -c \
    "{ [ ! -e /root/.bashrc ] || mount --bind '$WORK/empty' /root/.bashrc; } && exec /usr/sbin/sshd -D -e -f '$WORK/sshd_config'" \
    2>>"$WORK/sshd.log" &
SSHD_PID=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/$ADDR/$PORT") 2>/dev/null && break; sleep 0.05; done

ssh -F /dev/null -i "$WORK/id_ed25519" -o IdentitiesOnly=yes -o UserKnownHostsFile="$WORK/known_hosts" \
    -o StrictHostKeyChecking=yes -o BatchMode=yes -p "$PORT" -o ControlMaster=yes -o ControlPath="$WORK/cm.sock" \
    -N "root@$ADDR" &
MASTER_PID=$!
for _ in $(seq 100); do [[ -S $WORK/cm.sock ]] && break; sleep 0.05; done

echo "sshd $SSHD_PID on $ADDR:$PORT, ControlMaster $MASTER_PID; N=$N" >&2
"$HERE/.build/release/dispatch-bench" --host "$ADDR" --port "$PORT" --identity "$WORK/id_ed25519" \
    --known-hosts "$WORK/known_hosts" --control-path "$WORK/cm.sock" -n "$N"
