#!/usr/bin/env bash
# Runs the README's curl session against real instances and prints it (commands and their
# real output) for service/README.md. Needs: curl, jq, redis-server, and the binaries built:
#   cargo build --release -p jose-ring-service -p jose-cli
# Usage: bash service/readme-session.sh > /tmp/session.md
set -uo pipefail
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
bin=${BIN:-$top/target/release}
work=$(mktemp -d)
cd "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
export PATH="$bin:$top/target/debug:$PATH"

# Prints a command, then runs it.
run() { printf '$ %s\n' "$1"; bash -c "$1" 2>&1; printf '\n'; }
show() { printf '$ %s\n\n' "$1"; }
wait_port() { for _ in $(seq 100); do curl -s "http://127.0.0.1:$1/healthz" >/dev/null && return; sleep 0.1; done; }
short='.access_token |= .[0:24] + "..." | .refresh_token |= .[0:24] + "..."'
export short

echo '```console'
echo '$ jose-service --port 8080 2> service.log &   # in memory, the bundled demo users'
jose-service --port 8080 > /dev/null 2> service.log & pids+=($!)
wait_port 8080
echo
run "curl -s http://127.0.0.1:8080/.well-known/jwks.json | jq ."
run "curl -s http://127.0.0.1:8080/login -H 'content-type: application/json' \\
    -d '{\"username\":\"ada\",\"password\":\"correct horse battery staple\"}' > ada.json; jq \"\$short\" ada.json"
run 'jose decode "$(jq -r .access_token ada.json)" | sed -n "/^payload/,/^}/p"'
export AT_CMD='AT=$(jq -r .access_token ada.json); RT=$(jq -r .refresh_token ada.json)'
run "$AT_CMD"'
curl -s http://127.0.0.1:8080/me -H "authorization: Bearer $AT" | jq -c .
curl -s http://127.0.0.1:8080/admin -H "authorization: Bearer $AT" | jq -c .
curl -s http://127.0.0.1:8080/reports -H "authorization: Bearer $AT" | jq -c .'
run "curl -s http://127.0.0.1:8080/login -H 'content-type: application/json' \\
    -d '{\"username\":\"bob\",\"password\":\"hunter2 hunter2\"}' | jq -r .access_token > bob.txt
curl -si http://127.0.0.1:8080/admin -H \"authorization: Bearer \$(cat bob.txt)\" | grep -Ei '^(HTTP|www-auth)|error'
curl -si http://127.0.0.1:8080/reports -H \"authorization: Bearer \$(cat bob.txt)\" | grep -Ei '^(HTTP|www-auth)|error'"
run "curl -si http://127.0.0.1:8080/me | grep -Ei '^(HTTP|www-auth)|error'
curl -si http://127.0.0.1:8080/nope | grep -Ei '^(HTTP|www-auth)|error'"
run "# A wrong password and an unknown user: the same answer
curl -s http://127.0.0.1:8080/login -H 'content-type: application/json' -w ' %{http_code}\n' \\
    -d '{\"username\":\"ada\",\"password\":\"wrong\"}'
curl -s http://127.0.0.1:8080/login -H 'content-type: application/json' -w ' %{http_code}\n' \\
    -d '{\"username\":\"mallory\",\"password\":\"wrong\"}'"
run "# Refresh: both tokens rotate
$AT_CMD"'
curl -s http://127.0.0.1:8080/refresh -H "content-type: application/json" \
    -d "{\"refresh_token\":\"$RT\"}" > rotated.json; jq "$short" rotated.json'
run "# The same refresh token again within 30 s (a retry after a lost answer): a new pair of
# the same family; the pair issued before is revoked
$AT_CMD"'
curl -s http://127.0.0.1:8080/refresh -H "content-type: application/json" -w " %{http_code}\n" \
    -d "{\"refresh_token\":\"$RT\"}" -o retried.json
curl -s http://127.0.0.1:8080/me -w " %{http_code}\n" -H "authorization: Bearer $(jq -r .access_token rotated.json)"
curl -s http://127.0.0.1:8080/me -w " %{http_code}\n" -o /dev/null -H "authorization: Bearer $(jq -r .access_token retried.json)"'
run '# A refresh token the family has moved past (stolen?): refused, and the whole family is revoked
curl -s http://127.0.0.1:8080/refresh -H "content-type: application/json" -w " %{http_code}\n" \
    -d "{\"refresh_token\":\"$(jq -r .refresh_token rotated.json)\"}"
curl -s http://127.0.0.1:8080/refresh -H "content-type: application/json" -w " %{http_code}\n" \
    -d "{\"refresh_token\":\"$(jq -r .refresh_token retried.json)\"}"
curl -s http://127.0.0.1:8080/me -w " %{http_code}\n" -H "authorization: Bearer $(jq -r .access_token retried.json)"'
run "# Logout revokes the access token and its family
curl -s http://127.0.0.1:8080/login -H 'content-type: application/json' \\
    -d '{\"username\":\"ada\",\"password\":\"correct horse battery staple\"}' > ada2.json"'
AT=$(jq -r .access_token ada2.json)
curl -s http://127.0.0.1:8080/me -w " %{http_code}\n" -o /dev/null -H "authorization: Bearer $AT"
curl -s -X POST http://127.0.0.1:8080/logout -w "%{http_code}\n" -H "authorization: Bearer $AT"
curl -s http://127.0.0.1:8080/me -w " %{http_code}\n" -H "authorization: Bearer $AT"
curl -s http://127.0.0.1:8080/refresh -H "content-type: application/json" -w " %{http_code}\n" \
    -d "{\"refresh_token\":\"$(jq -r .refresh_token ada2.json)\"}"'
run '# DPoP: a login with a proof gets tokens bound to the key (cnf.jkt)
jose key generate --alg ES256 > client.jwk
curl -s http://127.0.0.1:8080/login -H "content-type: application/json" \
    -H "DPoP: $(jose dpop proof --key client.jwk --htm POST --htu http://127.0.0.1:8080/login)" \
    -d '"'"'{"username":"ada","password":"correct horse battery staple"}'"'"' > dpop.json
jq "$short" dpop.json; jq -r .access_token dpop.json > at.txt
jose decode "$(cat at.txt)" | grep -A2 cnf
curl -s http://127.0.0.1:8080/me -H "authorization: DPoP $(cat at.txt)" \
    -H "DPoP: $(jose dpop proof --key client.jwk --htm GET --htu http://127.0.0.1:8080/me --access-token at.txt)" | jq -c .
curl -si http://127.0.0.1:8080/me -H "authorization: Bearer $(cat at.txt)" | grep -Ei "^(HTTP|www-auth)|error"'
run "# The log: one line per request (sub only when verified), one audit event per authentication attempt; never a token
cut -c29- service.log"
kill "${pids[0]}"; wait "${pids[0]}" 2>/dev/null
echo '```'
echo
echo 'Two instances on one Redis:'
echo
echo '```console'
show "redis-server --port 6390 --save '' --appendonly no > /dev/null &"
redis-server --port 6390 --save '' --appendonly no > /dev/null & redis=$!
sleep 0.3
show 'export REDIS_URL=redis://127.0.0.1:6390/ KEY_DIR=./keys ISSUER=http://127.0.0.1:8081
jose-service --port 8081 2> a.log &
jose-service --port 8082 2> b.log &'
REDIS_URL=redis://127.0.0.1:6390/ KEY_DIR=./keys ISSUER=http://127.0.0.1:8081 jose-service --port 8081 > /dev/null 2> a.log & pids+=($!)
wait_port 8081
REDIS_URL=redis://127.0.0.1:6390/ KEY_DIR=./keys ISSUER=http://127.0.0.1:8081 jose-service --port 8082 > /dev/null 2> b.log & pids+=($!)
wait_port 8082
run "ls keys; curl -s http://127.0.0.1:8082/.well-known/jwks.json | jq -c '[.keys[].kid]'"
run "# Log in on A, use the token on B, log out on A: B refuses it at the next request
curl -s http://127.0.0.1:8081/login -H 'content-type: application/json' \\
    -d '{\"username\":\"ada\",\"password\":\"correct horse battery staple\"}' > a.json"'
AT=$(jq -r .access_token a.json)
curl -s http://127.0.0.1:8082/me -w " %{http_code}\n" -o /dev/null -H "authorization: Bearer $AT"
curl -s -X POST http://127.0.0.1:8081/logout -w "%{http_code}\n" -H "authorization: Bearer $AT"
curl -s http://127.0.0.1:8082/me -w " %{http_code}\n" -H "authorization: Bearer $AT"'
run "# Rotate on A, then on B; the first refresh token again on B: the family is revoked on both
curl -s http://127.0.0.1:8081/login -H 'content-type: application/json' \\
    -d '{\"username\":\"ada\",\"password\":\"correct horse battery staple\"}' > a2.json"'
RT=$(jq -r .refresh_token a2.json)
curl -s http://127.0.0.1:8081/refresh -H "content-type: application/json" -d "{\"refresh_token\":\"$RT\"}" > a3.json
curl -s http://127.0.0.1:8082/refresh -H "content-type: application/json" \
    -d "{\"refresh_token\":\"$(jq -r .refresh_token a3.json)\"}" > a4.json
curl -s http://127.0.0.1:8082/refresh -H "content-type: application/json" -w " %{http_code}\n" -d "{\"refresh_token\":\"$RT\"}"
curl -s http://127.0.0.1:8081/me -w " %{http_code}\n" -H "authorization: Bearer $(jq -r .access_token a4.json)"'
run "# Redis down: fail closed (503) wherever a revocation check is needed
curl -s http://127.0.0.1:8081/login -H 'content-type: application/json' \\
    -d '{\"username\":\"ada\",\"password\":\"correct horse battery staple\"}' > b.json
redis-cli -p 6390 shutdown nosave"'
AT=$(jq -r .access_token b.json)
curl -si http://127.0.0.1:8082/me -H "authorization: Bearer $AT" | grep -Ei "^(HTTP|retry)|error"
curl -si http://127.0.0.1:8082/refresh -H "content-type: application/json" \
    -d "{\"refresh_token\":\"$(jq -r .refresh_token b.json)\"}" | grep -Ei "^(HTTP|retry)|error"'
wait "$redis" 2>/dev/null
run "# Redis back: the instances reconnect by themselves
redis-server --port 6390 --save '' --appendonly no > /dev/null & sleep 1"'
AT=$(jq -r .access_token b.json)
curl -s http://127.0.0.1:8082/me -H "authorization: Bearer $AT" | jq -c .'
run "grep -h -E 'status=(503|401|400)' a.log b.log | cut -c29- | sort -u"
redis-cli -p 6390 shutdown nosave >/dev/null 2>&1
echo '```'
echo
echo 'Throttling, the audit trail and the metrics (curl plays the trusted proxy, naming the client in'
echo '`X-Forwarded-For`):'
echo
echo '```console'
show 'jose-service --port 8083 --trusted-proxy 127.0.0.1 2> c.log &'
jose-service --port 8083 --trusted-proxy 127.0.0.1 > /dev/null 2> c.log & pids+=($!)
wait_port 8083
run '# 12 wrong passwords for ada from one address: 10 are checked, then 429
for i in $(seq 12); do
  curl -s http://127.0.0.1:8083/login -H "content-type: application/json" -o /dev/null -w "%{http_code} " \
    -H "x-forwarded-for: 198.51.100.7" -d "{\"username\":\"ada\",\"password\":\"guess $i\"}"
done; echo'
run '# Her password from that address waits too; from another address she gets in
curl -si http://127.0.0.1:8083/login -H "content-type: application/json" -H "x-forwarded-for: 198.51.100.7" \
    -d "{\"username\":\"ada\",\"password\":\"correct horse battery staple\"}" | grep -Ei "^(HTTP|retry-after)|error"
curl -s http://127.0.0.1:8083/login -H "content-type: application/json" -H "x-forwarded-for: 192.0.2.1" \
    -d "{\"username\":\"ada\",\"password\":\"correct horse battery staple\"}" -o /dev/null -w "%{http_code}\n"'
run "# The audit trail: one event per attempt, never a password or a token
grep ' audit ' c.log | cut -c29- | uniq -c"
run "curl -s http://127.0.0.1:8083/metrics | grep -E '^jose_(service_(logins|throttled)|guard_requests)_total'
curl -s http://127.0.0.1:8083/metrics | grep 'route=\"/login\",status=\"429\"' | grep -v bucket"
echo '```'
echo
echo 'HTTPS with a certificate of your own (here a self-signed one for 127.0.0.1):'
echo
echo '```console'
run "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=localhost \\
    -addext subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout key.pem -out cert.pem 2> /dev/null"
show 'jose-service --port 8443 --tls-cert cert.pem --tls-key key.pem 2> tls.log | head -1 &'
jose-service --port 8443 --tls-cert cert.pem --tls-key key.pem > tls.out 2> tls.log & pids+=($!)
for _ in $(seq 100); do curl -s --cacert cert.pem https://127.0.0.1:8443/healthz >/dev/null && break; sleep 0.1; done
head -1 tls.out
echo
run "curl -s --cacert cert.pem -D - -o /dev/null https://127.0.0.1:8443/healthz | grep -Ei '^(HTTP|strict)'
# plain http to the HTTPS port gets no answer
curl -s http://127.0.0.1:8443/healthz -w '%{http_code}\\n'"
echo '```'
echo
echo 'The password policy of `hash-password`:'
echo
echo '```console'
run "echo 'Password1' | jose-service hash-password --username carol"
run "echo 'hunter2' | jose-service hash-password --username carol"
run "echo 'tr0ub4dor&3' | jose-service hash-password --username carol | jq -c '{username, alg: .password.alg, iterations: .password.iterations}'"
echo '```'
