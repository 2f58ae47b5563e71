#!/usr/bin/env bash
# Runs docker-compose.yml for real and checks that it starts a working site: the
# README's "Running in production" commands, then what a person and the health
# checks would see. Needs a running Docker engine and the base images (real ones,
# or the stand-ins of build-standins.sh); takes a few minutes; not part of the test
# suite (README.md beside this file).
#
#   tests/config/docker/check-compose.sh          # then `down -v`: nothing is kept
#   KEEP=1 WEB_PORT=8000 tests/config/docker/check-compose.sh   # leave it running
#
# A project of its own (COMPOSE_PROJECT_NAME, default candorcheck), so its
# containers and volumes are never another checkout's.
set -euo pipefail
# Never `producer | grep -q`: under pipefail, grep leaving at its first match makes
# the producer fail on a closed pipe, and the pipeline with it, now and then.
cd "$(dirname "$0")/../../.."
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-candorcheck}"
export WEB_PORT="${WEB_PORT:-18000}"
base="http://localhost:$WEB_PORT"
demo_login=hr@example.com demo_password=candor-demo
admin_login=admin@example.org admin_password="a long enough admin password 42"
work="$(mktemp -d)"

if docker compose version >/dev/null 2>&1; then
  compose() { docker compose "$@"; }
elif command -v docker-compose >/dev/null; then
  compose() { docker-compose "$@"; }
else
  echo "neither \`docker compose\` nor docker-compose is installed" >&2
  exit 2
fi

started=$(date +%s)
step() { echo "== [$(($(date +%s) - started))s] $*"; }
fail() {
  echo "FAIL: $*" >&2
  compose ps >&2 || true
  compose logs --no-color >"${TMPDIR:-/tmp}/$COMPOSE_PROJECT_NAME.log" 2>&1 || true
  echo "all the services' logs: ${TMPDIR:-/tmp}/$COMPOSE_PROJECT_NAME.log" >&2
  exit 1
}
cleanup() {
  if [ -z "${KEEP:-}" ]; then
    compose down -v --remove-orphans >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

state() {  # state CONTAINER: healthy/unhealthy/starting, or running/exited without a check
  docker inspect -f \
    '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1"
}

wait_healthy() {  # wait_healthy SERVICE COUNT: COUNT containers, each healthy, in 3 min
  local service=$1 count=$2 ids healthy
  for _ in $(seq 1 90); do
    ids=$(compose ps -q "$service")
    healthy=0
    for id in $ids; do
      [ "$(state "$id")" = healthy ] && healthy=$((healthy + 1))
    done
    [ "$(echo "$ids" | grep -c .)" = "$count" ] && [ "$healthy" = "$count" ] && return 0
    sleep 2
  done
  fail "$service: not $count healthy containers after 3 minutes"
}

wait_site() {  # the services with health checks, and migrate done with exit code 0
  for service in postgres redis web worker mailer; do
    wait_healthy "$service" 1
  done
  local migrate
  migrate=$(compose ps -q migrate)
  [ "$(docker inspect -f '{{.State.ExitCode}} {{.State.Status}}' "$migrate")" = "0 exited" ] \
    || fail "migrate did not finish with exit code 0"
  step "healthy: postgres, redis, web, worker, mailer; migrate exited 0"
}

sign_in() {  # sign_in JAR [LOGIN PASSWORD]: the sign-in form, CSRF token and all
  local jar=$1 login=${2:-$demo_login} password=${3:-$demo_password} token status
  status=$(curl -s -o /dev/null -w '%{http_code}' -c "$jar" "$base/accounts/login/")
  [ "$status" = 200 ] || fail "sign-in page: HTTP $status"
  token=$(awk '$6 == "csrftoken" { print $7 }' "$jar")
  [ -n "$token" ] || fail "sign-in page set no csrftoken cookie"
  status=$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -b "$jar" -c "$jar" \
    -H "Referer: $base/accounts/login/" \
    --data-urlencode "csrfmiddlewaretoken=$token" \
    --data-urlencode "username=$login" --data-urlencode "password=$password" \
    "$base/accounts/login/")
  [ "$status" = "302 $base/" ] || fail "sign-in as $login: $status (want 302 to /)"
}

signed_in() {  # signed_in JAR: the home page greets a signed-in person
  local status
  status=$(curl -s -o "$work/home.html" -w '%{http_code} %{redirect_url}' -b "$1" "$base/")
  grep -q "Sign out" "$work/home.html" || { echo "GET / with $1: $status" >&2; return 1; }
}

consumed() {  # consumed SERVICE QUEUE: a heartbeat sent to QUEUE, done by SERVICE
  local service=$1 queue=$2 id
  id=$(compose exec -T worker celery -A config call candor.worker_heartbeat \
    --queue "$queue" | tail -n 1 | tr -d '\r')
  for _ in $(seq 1 30); do
    compose logs --no-color "$service" | grep "id=$id state=SUCCESS" >/dev/null && return 0
    sleep 1
  done
  fail "the heartbeat $id sent to $queue was not done by $service in 30 s"
}

nodes_answering() {  # how many workers answer `celery inspect ping`
  compose exec -T worker celery -A config inspect ping --timeout 5 2>/dev/null \
    | grep -c ': OK' || true
}

one_beat() {  # exactly one beat container, running one beat process
  local ids
  ids=$(compose ps -q beat)
  [ "$(echo "$ids" | grep -c .)" = 1 ] || fail "beat containers: $(echo "$ids" | wc -w)"
  [ "$(docker top "$ids" -o pid,args | grep -c 'celery -A config beat')" = 1 ] \
    || fail "beat container runs $(docker top "$ids" -o pid,args | grep -c beat) beat processes"
}

step "fresh start: compose down -v"
compose down -v --remove-orphans >/dev/null 2>&1 || true

step "compose up -d --build"
compose up -d --build >"$work/up.log" 2>&1 || { tail -40 "$work/up.log"; fail "up --build"; }
wait_site

step "compose run --rm web python manage.py seed_demo"
compose run --rm web python manage.py seed_demo >"$work/seed.log" 2>&1 \
  || { tail -20 "$work/seed.log"; fail "seed_demo"; }
grep "sign in as" "$work/seed.log"

step "the site: /livez, /healthz, the sign-in page, the demo login"
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/livez")" = 200 ] || fail "/livez"
health=$(curl -s "$base/healthz")
echo "/healthz: $health"
for part in database broker cache; do
  echo "$health" | grep "\"$part\": \"ok\"" >/dev/null || fail "/healthz: $part is not ok"
done
sign_in "$work/jar"
signed_in "$work/jar" || fail "the home page after sign-in has no 'Sign out'"
echo "signed in as $demo_login"

step "compose run --rm web python manage.py createsuperuser (without prompts)"
compose run --rm -e DJANGO_SUPERUSER_EMAIL="$admin_login" \
  -e DJANGO_SUPERUSER_PASSWORD="$admin_password" \
  web python manage.py createsuperuser --noinput >"$work/admin.log" 2>&1 \
  || { tail -20 "$work/admin.log"; fail "createsuperuser"; }
sign_in "$work/admin-jar" "$admin_login" "$admin_password"
status=$(curl -s -o /dev/null -w '%{http_code}' -b "$work/admin-jar" "$base/admin/")
[ "$status" = 200 ] || fail "the first admin's /admin/: HTTP $status"
echo "signed in as $admin_login, /admin/ answers 200"

step "a heartbeat to each queue, consumed by its own worker"
consumed worker default
consumed mailer bulk_mail
echo "default -> worker, bulk_mail -> mailer"
[ "$(nodes_answering)" = 2 ] || fail "inspect ping: $(nodes_answering) nodes, want 2"
one_beat
echo "inspect ping: 2 nodes; beat: one container, one process"

step "compose up -d --scale mailer=3 --scale worker=2"
compose up -d --scale mailer=3 --scale worker=2 >"$work/scale.log" 2>&1 \
  || { cat "$work/scale.log"; fail "--scale mailer=3 --scale worker=2"; }
wait_healthy worker 2
wait_healthy mailer 3
[ "$(nodes_answering)" = 5 ] || fail "inspect ping after scaling: $(nodes_answering) nodes, want 5"
one_beat
echo "two workers and three mailers, healthy and answering ping; beat still one"

# Beat queues the dispatcher's pass once a minute: with one beat the workers get at
# most one pass a minute since beat started (two beats would send about twice that).
beat=$(compose ps -q beat)
since=$(date -d "$(docker inspect -f '{{.State.StartedAt}}' "$beat")" +%s)
while [ $(($(date +%s) - since)) -lt 130 ]; do sleep 5; done
minutes=$((($(date +%s) - since) / 60))
passes=$(compose logs --no-color worker | grep -c 'Task candor.dispatch\[.*\] received' || true)
[ "$passes" -ge 1 ] && [ "$passes" -le $((minutes + 1)) ] \
  || fail "$passes dispatcher passes in $minutes minutes of beat"
echo "$passes dispatcher passes in $minutes minutes of beat"
# The demo's live rounds: the dispatcher's pass queued their invitations, the
# mailer sent them, to files in the shared volume (EMAIL_URL's default).
mails=$(compose exec -T web ls var/mail | wc -l)
[ "$mails" -gt 0 ] || fail "no email in the shared var volume"
echo "$mails emails in var/mail"

step "compose down, then up again: the data and the session outlive the containers"
compose down >/dev/null 2>&1
compose up -d >"$work/up2.log" 2>&1 || { tail -20 "$work/up2.log"; fail "up after down"; }
wait_site
signed_in "$work/jar" || fail "the session from before down is gone"
sign_in "$work/jar2"
signed_in "$work/jar2" || fail "the demo login after down and up"
echo "the old session still signs in; the demo login signs in again"
if compose logs --no-color | grep Traceback; then fail "a traceback in the logs"; fi
if compose logs --no-color | grep -E '\[ERROR\]|"level": "ERROR"'; then
  fail "errors in the logs"
fi

step "all checks passed (${COMPOSE_PROJECT_NAME}, $(compose version --short 2>/dev/null || true))"
