#!/usr/bin/env bash
# Runs the README's OAuth session (issue 25: the standard endpoints, a second API that trusts
# the service) against real processes and prints it, commands and their real output, for
# service/README.md. Needs curl, jq, and the binaries built:
#   cargo build -p jose-ring-service -p jose-cli && cargo build -p jose-ring-service --example resource-api
# Usage: bash service/oauth-session.sh > /tmp/oauth-session.md
set -uo pipefail
top=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
bin=${BIN:-$top/target/debug}
work=$(mktemp -d)
cd "$work"
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done; rm -rf "$work"; }
trap cleanup EXIT
export PATH="$bin:$bin/examples:$PATH"

run() { printf '$ %s\n' "$1"; bash -c "$1" 2>&1; printf '\n'; }
wait_port() { for _ in $(seq 100); do curl -s "http://127.0.0.1:$1/$2" >/dev/null && return; sleep 0.1; done; }
short='.access_token |= .[0:24] + "..."'
export short

echo '```console'
run "# A machine client with a secret (hash-client reads it from stdin, as hash-password does)
echo 'b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8' | jose-service hash-client --client-id reports-batch \\
    --scope 'reports:read profile' --resource https://reports.example > batch.json; jq -c . batch.json"
run "# A machine client with a key (private_key_jwt): its public JWK goes in the clients file
jose key generate --alg ES256 > signer.jwk; jose key public signer.jwk > signer.pub.jwk
# and the resource API's own client (introspection), with a key too
jose key generate --alg ES256 > api.jwk; jose key public api.jwk > api.pub.jwk
jq -n --slurpfile b batch.json --slurpfile k signer.pub.jwk --slurpfile a api.pub.jwk \\
    '{clients: [\$b[0], {client_id: \"signer\", jwk: \$k[0], scope: \"reports:read\"},
                {client_id: \"reports-api\", jwk: \$a[0], resources: [\"https://reports.example\"]}]}' > clients.json"
echo '$ jose-service --clients clients.json --port 8080 2> service.log &'
jose-service --clients clients.json --port 8080 > /dev/null 2> service.log & pids+=($!)
wait_port 8080 healthz
echo
run "curl -s http://127.0.0.1:8080/.well-known/oauth-authorization-server | jq ."
run "# client_credentials by client_secret_basic (curl -u: the secret has no character to encode)
curl -s http://127.0.0.1:8080/token -u reports-batch:b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8 \\
    -d grant_type=client_credentials -d scope=reports:read > cc.json; jq \"\$short\" cc.json
jose decode \"\$(jq -r .access_token cc.json)\" | sed -n '/^payload/,/^}/p'"
run "# RFC 6749 §5.2 errors
curl -si http://127.0.0.1:8080/token -u reports-batch:wrong -d grant_type=client_credentials \\
    | grep -Ei '^(HTTP|www-auth)|error'
curl -s http://127.0.0.1:8080/token -u reports-batch:b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8 -w ' %{http_code}\n' \\
    -d grant_type=client_credentials -d scope=admin
curl -s http://127.0.0.1:8080/token -u reports-batch:b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8 -w ' %{http_code}\n' \\
    -d grant_type=client_credentials -d resource=https://payroll.example
curl -s http://127.0.0.1:8080/token -w ' %{http_code}\n' -d grant_type=client_credentials -d client_id=reports-batch
curl -s http://127.0.0.1:8080/token -u reports-batch:b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8 -w ' %{http_code}\n' \\
    -d grant_type=password"
run "# client_credentials by private_key_jwt (RFC 7523): an assertion signed by the client's key
jq -n --arg jti \"\$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \\n')\" \\
    '{iss: \"signer\", sub: \"signer\", aud: \"http://127.0.0.1:8080/token\", jti: \$jti}' \\
    | jose sign --key signer.jwk --exp-in 60 --iat - > assertion.jwt
curl -s http://127.0.0.1:8080/token -d grant_type=client_credentials \\
    -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \\
    -d client_assertion=\"\$(cat assertion.jwt)\" | jq -c \"\$short\"
# the same assertion again: its jti was used
curl -s http://127.0.0.1:8080/token -d grant_type=client_credentials -w ' %{http_code}\n' \\
    -d client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer \\
    -d client_assertion=\"\$(cat assertion.jwt)\""
run "# refresh_token at /token: a /login refresh token, the same rotation as /refresh (again
# within the 30 s grace window, by the same client: a retry, a new pair; later: a reuse)
curl -s http://127.0.0.1:8080/login -H 'content-type: application/json' \\
    -d '{\"username\":\"ada\",\"password\":\"correct horse battery staple\"}' > ada.json
curl -s http://127.0.0.1:8080/token -d grant_type=refresh_token -d client_id=demo-client \\
    -d refresh_token=\"\$(jq -r .refresh_token ada.json)\" | jq -c '{token_type, expires_in, scope}'
curl -s http://127.0.0.1:8080/token -d grant_type=refresh_token -w ' %{http_code}\n' \\
    -d refresh_token=\"\$(jq -r .refresh_token ada.json)\" -o /dev/null"
run "# Introspection (RFC 7662) by the token's own client; revocation (RFC 7009) by it too
AT=\$(jq -r .access_token cc.json)
curl -s http://127.0.0.1:8080/introspect -u reports-batch:b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8 -d token=\$AT | jq -c .
curl -s http://127.0.0.1:8080/introspect -d token=\$AT -w ' %{http_code}\n'
curl -s http://127.0.0.1:8080/revoke -u reports-batch:b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8 -d token=\$AT -w '%{http_code}\n'
curl -s http://127.0.0.1:8080/introspect -u reports-batch:b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8 -d token=\$AT | jq -c .
curl -s http://127.0.0.1:8080/revoke -d token=not-a-token -w '%{http_code}\n'"
echo '$ RESOURCE_API_CLIENT_ID=reports-api RESOURCE_API_CLIENT_KEY=api.jwk \'
echo '    resource-api --issuer http://127.0.0.1:8080 --audience https://reports.example --port 3001 --allow-http-loopback 2> api.log &'
RESOURCE_API_CLIENT_ID=reports-api RESOURCE_API_CLIENT_KEY=api.jwk \
  resource-api --issuer http://127.0.0.1:8080 --audience https://reports.example --port 3001 \
  --allow-http-loopback > /dev/null 2> api.log & pids+=($!)
wait_port 3001 hello
echo
run "AT=\$(curl -s http://127.0.0.1:8080/token -u reports-batch:b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8 \\
    -d grant_type=client_credentials | jq -r .access_token)
curl -s http://127.0.0.1:3001/hello -H \"authorization: Bearer \$AT\"
curl -s http://127.0.0.1:3001/reports -H \"authorization: Bearer \$AT\"
curl -s http://127.0.0.1:8080/revoke -u reports-batch:b8f2c1d4e6a7b9c0d1e2f3a4b5c6d7e8 -d token=\$AT
curl -si http://127.0.0.1:3001/hello -H \"authorization: Bearer \$AT\" | grep -Ei '^(HTTP|www-auth)'"
run "cut -c29- api.log"
echo '```'
