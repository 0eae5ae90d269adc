#!/bin/sh
# Runs a service command after turning every FOO_FILE variable into FOO, read from that file:
# Docker and Compose mount secrets as files, the services read settings from the environment.
set -eu
for name in $(env | sed -n 's/^\([A-Z0-9_]*\)_FILE=.*/\1/p'); do
  # Settings whose value *is* a path (certificates, keys the service reads itself) stay as they are.
  case "$name" in
    *_TLS_CERT | *_TLS_KEY | *_TLS_CLIENT_CA | *_LOOKUP_CA | *_LOOKUP_CLIENT_CERT | *_LOOKUP_CLIENT_KEY | \
      *_TARGETS | *_AUDIT_SIGNING_KEY | *_AUDIT_CHECKPOINT) continue ;;
  esac
  eval "file=\${${name}_FILE}"
  # shellcheck disable=SC2154 # set by the eval above
  [ -r "$file" ] || { echo "entrypoint: ${name}_FILE=$file is not readable" >&2; exit 1; }
  value="$(cat "$file")"
  export "$name=$value"
  unset "${name}_FILE"
done
exec "$@"
