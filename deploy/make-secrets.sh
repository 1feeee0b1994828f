#!/bin/sh
# Writes the secrets compose.yaml names into deploy/secrets/ (never committed), leaving
# any that exist alone: run it once per installation, then edit credit_targets.json and
# credit_national_token for the city's platforms. Needs openssl.
#
# The directory is the host's protection (0700, the operator's); each file is mounted
# alone at /run/secrets/<name> into only the services that name it, and is read there by
# PostgreSQL (uid 999) and the application (uid 10001), hence world-readable files.
set -eu
dir="$(dirname "$0")/secrets"
mkdir -p "$dir"
chmod 0700 "$dir"
umask 0022

password() {  # hex: no character a connection string or pgpass would need to escape
    [ -e "$dir/$1" ] || openssl rand -hex 32 > "$dir/$1"
}
key() {  # EC P-256 (ES256), as CAPEXIT_JWT_SIGNING_KEY_FILE and CAPEXIT_AUDIT_KEY_FILE need
    [ -e "$dir/$1" ] || openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$dir/$1"
}

password db_superuser_password
password db_owner_password
password db_app_password
password report_challenge_key  # HMAC key of the report platform's proof-of-work challenges
key jwt_signing_key.pem
key audit_key.pem
# 32 random bytes in base64: seals reporters' contact details (CAPEXIT_REPORT_CONTACT_KEY_FILE)
[ -e "$dir/report_contact_key" ] || openssl rand -base64 32 > "$dir/report_contact_key"
[ -e "$dir/credit_national_token" ] || echo "replace with the platform's token" > "$dir/credit_national_token"
[ -e "$dir/credit_targets.json" ] || cat > "$dir/credit_targets.json" <<'JSON'
[{"code": "national", "name": "全国信用信息共享平台",
  "base_url": "https://credit.example.invalid/api", "auth": "bearer",
  "secret_file": "/run/secrets/credit_national_token",
  "timeout_seconds": 10, "rate_per_second": 5, "max_response_bytes": 65536}]
JSON
chmod 0444 "$dir"/*
echo "secrets in $dir: back up audit_key.pem, jwt_signing_key.pem and report_contact_key (docs/operations.md)"
