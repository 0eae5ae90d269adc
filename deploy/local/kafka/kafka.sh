#!/usr/bin/env bash
# Local Apache Kafka (one KRaft node) from its Maven artifacts, no Docker.
#   kafka.sh up     gather the classpath once, format storage once, start, wait until ready (no-op if up)
#   kafka.sh down   graceful stop, wait for exit
#   kafka.sh wipe   down, then delete the broker's data
#   kafka.sh kill   SIGKILL the broker (fault tests)
#   kafka.sh status exit 0 when the broker answers
#   kafka.sh tool <main-class> [args…]   run one of Kafka's own tools from the same classpath
# KAFKA_BOOTSTRAP_SERVERS set means another broker is in use: up/down/wipe/kill do nothing.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
LIB="$HERE/target/lib"
STATE="$ROOT/var/kafka"
DATA="$STATE/data"
PROPS="$STATE/server.properties"
PID_FILE="$STATE/kafka.pid"
LOG="$STATE/kafka.log"
BOOTSTRAP="127.0.0.1:9092"
TOPIC="onceonly.dossier-events.v1"
PARTITIONS=6
HEAP="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
READY_TIMEOUT="${KAFKA_READY_TIMEOUT:-90}"

log() { echo "kafka: $*" >&2; }

external() {
  if [[ -n "${KAFKA_BOOTSTRAP_SERVERS:-}" ]]; then
    log "KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS is set; leaving the local broker alone"
    return 0
  fi
  return 1
}

running_pid() {
  [[ -f "$PID_FILE" ]] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    echo "$pid"
    return 0
  fi
  return 1
}

classpath() {
  if [[ ! -f "$LIB/.complete" ]]; then
    log "gathering the broker's classpath from Maven (once)"
    rm -rf "$LIB"
    (cd "$HERE" && mvn -q -B dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIB")
    touch "$LIB/.complete"
  fi
}

# Kafka's command-line tools, quiet unless something goes wrong (slf4j-simple logs INFO to stderr).
java_tool() {
  java -Xmx256m -XX:TieredStopAtLevel=1 -Dorg.slf4j.simpleLogger.defaultLogLevel=warn -cp "$LIB/*" "$@"
}

tool() {
  classpath
  java_tool "$@"
}

format_storage() {
  mkdir -p "$STATE"
  sed "s|@DATA_DIR@|$DATA|" "$HERE/server.properties" >"$PROPS"
  if [[ ! -f "$DATA/meta.properties" ]]; then
    log "formatting storage under var/kafka"
    local cluster_id
    cluster_id="$(java_tool kafka.tools.StorageTool random-uuid)"
    java_tool kafka.tools.StorageTool format --standalone --ignore-formatted \
      -t "$cluster_id" -c "$PROPS" >>"$LOG" 2>&1
  fi
}

# Ready means the broker answers an admin request, not that the port is open.
answers() {
  port_open && list_topics >/dev/null 2>&1
}

list_topics() {
  java_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" --list
}

port_open() {
  (exec 3<>"/dev/tcp/${BOOTSTRAP%:*}/${BOOTSTRAP#*:}") 2>/dev/null
}

# The services ensure their topics too (onceonly.common.kafka.ensure_topics); creating them here
# gives them the intended partition count before any client can auto-create them.
ensure_topics() {
  local existing="$1" topic
  for topic in "$TOPIC" "$TOPIC.dlq"; do
    grep -qxF "$topic" <<<"$existing" && continue
    java_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$BOOTSTRAP" \
      --create --if-not-exists --topic "$topic" --partitions "$PARTITIONS" --replication-factor 1 \
      >/dev/null
  done
}

up() {
  external && return 0
  if running_pid >/dev/null; then
    log "already running (pid $(running_pid))"
    return 0
  fi
  command -v java >/dev/null || { log "java (17 or later) is needed: apt-get install -y openjdk-17-jre-headless"; exit 1; }
  command -v mvn >/dev/null || { log "maven is needed: apt-get install -y maven"; exit 1; }
  classpath
  format_storage
  log "starting on $BOOTSTRAP (log: var/kafka/kafka.log)"
  # setsid: the broker outlives the shell that started it and gets no terminal signals.
  # shellcheck disable=SC2086 # HEAP holds several options.
  setsid java $HEAP -XX:+UseG1GC -Djava.awt.headless=true -cp "$LIB/*" kafka.Kafka "$PROPS" \
    >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local deadline=$((SECONDS + READY_TIMEOUT))
  until port_open; do
    if ! running_pid >/dev/null; then
      log "the broker exited during start-up; last lines of var/kafka/kafka.log:"
      tail -n 30 "$LOG" >&2
      exit 1
    fi
    if ((SECONDS > deadline)); then
      log "not ready after ${READY_TIMEOUT}s; see var/kafka/kafka.log"
      exit 1
    fi
    sleep 0.3
  done
  # The port opens before the broker has caught up with its metadata: ask it something.
  local topics
  until topics="$(list_topics 2>/dev/null)"; do
    ((SECONDS > deadline)) && { log "not answering after ${READY_TIMEOUT}s; see var/kafka/kafka.log"; exit 1; }
    sleep 0.3
  done
  ensure_topics "$topics"
  log "ready"
}

down() {
  external && return 0
  local pid
  if ! pid="$(running_pid)"; then
    rm -f "$PID_FILE"
    return 0
  fi
  log "stopping (pid $pid)"
  kill -TERM "$pid"
  local deadline=$((SECONDS + 60))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS > deadline)); then
      log "no exit after 60s; killing"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    sleep 0.2
  done
  rm -f "$PID_FILE"
}

kill_broker() {
  external && return 0
  local pid
  if pid="$(running_pid)"; then
    kill -KILL "$pid"
    while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  wipe) down; external || { rm -rf "$STATE"; log "data deleted"; } ;;
  kill) kill_broker ;;
  status) answers ;;
  tool) shift; tool "$@" ;;
  *) echo "usage: $0 up|down|wipe|kill|status|tool <main-class> [args…]" >&2; exit 2 ;;
esac
