#!/usr/bin/env bash
# `manage.py check --deploy` under production-like settings (HTTPS, no debug, real secret).
set -euo pipefail
lifeline=${1:-lifeline}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
LIFELINE_VAR_DIR="$tmp" \
LIFELINE_DEBUG=0 \
LIFELINE_HTTPS=1 \
LIFELINE_ALLOWED_HOSTS=lifeline.example.org \
LIFELINE_SECRET_KEY="$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')" \
  "$lifeline" check --deploy --fail-level WARNING
