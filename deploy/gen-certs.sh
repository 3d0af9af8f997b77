#!/bin/sh
# A private CA and certificates signed by it, for Temporal's frontend/internode mTLS and its clients
# (docs/deploy.md "Temporal TLS"). `npm run test:production` makes its certificates with this script too.
#
#   deploy/gen-certs.sh <dir> <name>=<subjectAltNames> [...]
#   deploy/gen-certs.sh deploy/certs temporal=DNS:temporal,DNS:localhost,IP:127.0.0.1 client=DNS:meta-integration-service
#
# <dir>/ca.pem and ca.key are created once and reused (delete them to start a new CA); each <name>
# gets <name>.pem and <name>.key (EC P-256, valid 825 days, usable as TLS server and client).
# Certificates are 0644 and keys 0640: give the containers' user (uid/gid 1000 in the temporal and node
# images) read access with `chgrp 1000 <dir>/*.key` (the CA key is never needed by a container).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 <dir> <name>=<subjectAltNames> [...]" >&2; exit 64; }
dir=$1; shift
mkdir -p "$dir"
umask 027
if [ ! -f "$dir/ca.pem" ]; then
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=meta-integration private CA" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
fi
for spec in "$@"; do
  name=${spec%%=*}; sans=${spec#*=}
  [ -n "$name" ] && [ "$name" != "$spec" ] || { echo "$0: expected <name>=<subjectAltNames>, got $spec" >&2; exit 64; }
  ext=$(mktemp)
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=%s\n' "$sans" >"$ext"
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$name" -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  openssl x509 -req -in "$dir/$name.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" -CAcreateserial -days 825 -sha256 -extfile "$ext" -out "$dir/$name.pem" 2>/dev/null
  rm -f "$dir/$name.csr" "$ext"
  chmod 0644 "$dir/$name.pem"; chmod 0640 "$dir/$name.key"
done
chmod 0644 "$dir/ca.pem"; chmod 0600 "$dir/ca.key"
