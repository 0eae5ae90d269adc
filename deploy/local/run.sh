#!/usr/bin/env bash
# The whole stack on this machine, no Docker.
#   run.sh        `make run`: start everything, seed, drive the demo, stay in front; Ctrl-C stops all
#   run.sh up     `make up`: the same in the background; returns once every part is ready
#   run.sh down   `make down`: stop what `up` started
# Stores, logs and the stack's state live under var/ (ONCEONLY_VAR_DIR moves them); the stores are
# SQLite there unless ONCEONLY_{LOOKUP,GATEWAY,TRACKER}_DATABASE_URL say otherwise.
# A second run reuses what is there: the seeded registry, the demo agencies and the demo's dossiers.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/env.sh
# The local stack is for development: the development pseudonym key and plaintext channels on
# loopback are admitted (every service refuses them without this).
export ONCEONLY_DEV_MODE=true

VAR=${ONCEONLY_VAR_DIR:-var}
STATE=$VAR/stack
LOG=$VAR/log/stack.log
PID_FILE=$STATE/honcho.pid
KEYS=$STATE/demo-keys.tsv
CITIZENS=$STATE/demo-citizens.txt
PROFILE=${ONCEONLY_DEMO_PROFILE:-binh-duong-2024}
POPULATION=${ONCEONLY_DEMO_POPULATION:-20000}
GATEWAY=http://127.0.0.1:8080
TRACKER=http://127.0.0.1:8090
mkdir -p "$STATE" "$VAR/log"
for service in LOOKUP GATEWAY TRACKER; do
  url=ONCEONLY_${service}_DATABASE_URL
  export "$url=${!url:-sqlite:///$VAR/${service,,}.db}"
done
# The audit chain's checkpoints: signed with a development key made on first start, appended to a file
# beside the stores; `onceonly-gateway audit verify` checks the chain against them (docs/SECURITY.md).
export ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE=${ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE:-$VAR/audit-signing.pem}
export ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE=${ONCEONLY_GATEWAY_AUDIT_CHECKPOINT_FILE:-$VAR/audit-checkpoints.jsonl}

say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

running() { [[ -f $PID_FILE ]] && kill -0 "$(cat "$PID_FILE")" 2>/dev/null; }

wait_ready() {
  local url deadline=$((SECONDS + 120))
  for url in "$GATEWAY/readyz" "$TRACKER/readyz"; do
    until curl -fs -o /dev/null "$url"; do
      if ! running; then say "the stack stopped while starting; see $LOG"; tail -30 "$LOG" >&2; exit 1; fi
      if ((SECONDS > deadline)); then say "$url not ready after 120 s; see $LOG"; exit 1; fi
      sleep 0.5
    done
  done
}

seed_registry() {
  if [[ ! -f $STATE/registry-seeded ]]; then
    say "seeding the population registry with $POPULATION citizens"
    uv run --locked onceonly-lookup seed --citizens "$POPULATION" --seed 1
    touch "$STATE/registry-seeded"
  fi
  [[ -s $CITIZENS ]] || uv run --locked onceonly-lookup sample --count 5000 >"$CITIZENS"
}

register_agencies() {
  touch "$KEYS"
  local code name province key
  while IFS=$'\t' read -r code name province; do
    grep -q "^$code"$'\t' "$KEYS" && continue
    key=$(uv run --locked onceonly-gateway agency add --code "$code" --name "$name" --province "$province" \
      --scopes population:read,population:verify,results:read,results:write,dossiers:write,dossiers:import,audit:read)
    printf '%s\t%s\n' "$code" "$key" >>"$KEYS"
  done < <(uv run --locked onceonly-demo agencies --profile "$PROFILE")
}

# The province's catalog as it stood at the end of its reported year, from lookup's history of service
# levels, for the procedures-offered-online figures (once: publishing it again writes the same rows).
publish_catalog() {
  [[ $PROFILE == binh-duong-2024 && ! -f $STATE/catalog-binh-duong-2024.done ]] || return 0
  say "publishing the catalog of Bình Dương as of 2024-12-31"
  if ! uv run --locked onceonly-gateway catalog publish --province "Bình Dương" --as-of 2024-12-31; then
    # A registry seeded before lookup kept the catalog's history has none to publish: reseed it.
    say "no catalog published; remove $STATE/registry-seeded and run again to reseed the registry"
    return 0
  fi
  touch "$STATE/catalog-binh-duong-2024.done"
}

drive_demo() {
  if [[ -f $STATE/demo-$PROFILE.done ]]; then
    say "the $PROFILE demo already ran; checking the tracker's figures"
    uv run --locked onceonly-demo check --profile "$PROFILE" --keys "$KEYS" --citizens "$CITIZENS" \
      --gateway "$GATEWAY" --tracker "$TRACKER"
    return
  fi
  say "driving the $PROFILE demo through the gateway"
  uv run --locked onceonly-demo run --profile "$PROFILE" --keys "$KEYS" --citizens "$CITIZENS" \
    --gateway "$GATEWAY" --tracker "$TRACKER"
  touch "$STATE/demo-$PROFILE.done"
}

banner() {
  local code key
  IFS=$'\t' read -r code key <"$KEYS"
  cat >&2 <<TXT

  Onceonly is running.
    dashboard   $TRACKER/
    API docs    $GATEWAY/docs
    demo agency $code, API key: $key
    try         open a dossier of the agency's, then read its applicant for it:
                curl -fsS $GATEWAY/v1/dossiers/$code-DEMO-1/intake -H "Authorization: Bearer $key" \\
                  -H "Content-Type: application/json" \\
                  -d '{"procedure_code": "1.004873", "applicant_personal_id": "$(head -1 "$CITIZENS")"}'
                curl -fsS $GATEWAY/v1/citizens/$(head -1 "$CITIZENS") -H "Authorization: Bearer $key" \\
                  -H "X-Dossier-Id: $code-DEMO-1" -H "X-Procedure-Code: 1.004873"
    logs        $LOG

TXT
}

# A port answering before we start belongs to something else (another checkout's stack, say), and
# its /readyz would pass for ours.
ports_free() {
  local port
  for port in 50051 8080 8090; do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      say "port $port is already in use: stop what listens there (another stack? \`make down\`) and try again"
      return 1
    fi
  done
}

start() {
  if running; then
    say "the stack is already running (pid $(cat "$PID_FILE"))"
    return
  fi
  ports_free
  seed_registry
  if [[ ! -f $ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE ]]; then
    uv run --locked onceonly-gateway audit keygen --private-key "$ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE" \
      --public-key "${ONCEONLY_GATEWAY_AUDIT_SIGNING_KEY_FILE%.pem}.pub.pem" >/dev/null
  fi
  say "starting lookup, gateway and tracker"
  setsid uv run --locked honcho -f deploy/local/Procfile -d . start >"$LOG" 2>&1 &
  echo $! >"$PID_FILE"
  wait_ready
  register_agencies
  publish_catalog
  drive_demo
}

stop() {
  running || { rm -f "$PID_FILE"; return 0; }
  local pid
  pid=$(cat "$PID_FILE")
  say "stopping the stack"
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$PID_FILE"
}

# A start that fails part way (a service that never gets ready, a demo check that fails) stops what it
# started, so nothing is left holding the ports.
start_or_stop() {
  set -E
  trap 'trap - ERR; say "stopping what was started"; stop' ERR
  start
  trap - ERR
  set +E
}

case "${1:-run}" in
  up) start_or_stop; banner ;;
  down) stop ;;
  run)
    trap 'stop; exit 0' INT TERM
    start_or_stop
    banner
    say "Ctrl-C stops everything"
    tail -n 0 -f "$LOG" &
    wait "$(cat "$PID_FILE")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 [run|up|down]" >&2; exit 2 ;;
esac
