#!/usr/bin/env bash
# The test directory: a throw-away Samba AD DC (CONTOSO.TEST) on loopback, shared by every test suite
# on this machine.
#
#   .ci/samba-lab.sh start    install what is missing, provision once, start the DC (if not running),
#                             create the shared base objects, write $LAB_DIR/lab.env
#   .ci/samba-lab.sh stop     stop the DC this script started (by its recorded PID, nothing else)
#   .ci/samba-lab.sh status   exit 0 if the DC this script started is running
#
# Idempotent: `start` on a running lab only re-checks the base objects and rewrites lab.env.
# The lab passwords are constants of this throw-away domain; they are written to mode-0600 files in
# $LAB_DIR (referenced from lab.env) and never echoed. Only one DC per machine can own ports 88/389/636,
# so tests from every helper share this one: they create uniquely named objects and never delete the
# base objects made here.
set -euo pipefail

LAB_DIR=${RESETLENS_LAB_DIR:-/tmp/resetlens-lab}
REALM=CONTOSO.TEST
NETBIOS=CONTOSO
HOST_SHORT=dc
HOST_FQDN=dc.contoso.test
BASE_DN=DC=contoso,DC=test
ADMIN_PASSWORD='Passw0rd!Admin'
CONNECTOR=MSOL_abc123
CONNECTOR_PASSWORD='Conn3ct!Pass'
ALICE_PASSWORD='Al1ce!Pass'

# GUIDs of the rights Set-ADSyncPasswordWritebackPermissions grants on descendant user objects.
RESET_PASSWORD=00299570-246d-11d0-a768-00aa006e0529
ATTR_LOCKOUT_TIME=28630ebf-41d5-11d1-a9c1-0000f80367c1
ATTR_PWD_LAST_SET=bf967a0a-0de6-11d0-a285-00aa003049e2
CLASS_USER=bf967aba-0de6-11d0-a285-00aa003049e2

PID_FILE=$LAB_DIR/samba.pid
ENV_FILE=$LAB_DIR/lab.env
SMB_CONF=$LAB_DIR/etc/smb.conf

log() { printf 'samba-lab: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

install_packages() {
  local pkgs=(samba samba-ad-dc samba-dsdb-modules winbind krb5-user ldap-utils ldb-tools
              libsasl2-modules-gssapi-mit openssl libkrb5-dev libclang-dev libssl-dev pkg-config)
  local missing=()
  for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if ((${#missing[@]})); then
    log "installing ${missing[*]}"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

map_host_name() {
  grep -qE "^127\.0\.0\.1[[:space:]].*\b${HOST_FQDN}\b" /etc/hosts ||
    echo "127.0.0.1 ${HOST_FQDN} ${HOST_SHORT}" >>/etc/hosts
}

make_certificates() {
  local tls=$LAB_DIR/tls
  [[ -s $tls/server.pem ]] && return 0
  mkdir -p "$tls"
  log "creating the lab CA and a server certificate for ${HOST_FQDN}"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=resetlens lab CA" \
    -keyout "$tls/ca.key" -out "$tls/ca.pem" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=${HOST_FQDN}" \
    -keyout "$tls/server.key" -out "$tls/server.csr" 2>/dev/null
  printf '%s\n' "subjectAltName=DNS:${HOST_FQDN},DNS:localhost,IP:127.0.0.1" \
    "extendedKeyUsage=serverAuth" "keyUsage=critical,digitalSignature,keyEncipherment" >"$tls/ext.cnf"
  openssl x509 -req -in "$tls/server.csr" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial \
    -days 3650 -extfile "$tls/ext.cnf" -out "$tls/server.pem" 2>/dev/null
  chmod 600 "$tls/server.key" "$tls/ca.key"
}

provision() {
  [[ -f $SMB_CONF ]] && return 0
  log "provisioning ${REALM} in ${LAB_DIR}"
  rm -rf "$LAB_DIR/private" "$LAB_DIR/etc" "$LAB_DIR/state" "$LAB_DIR/cache" "$LAB_DIR/bind-dns"
  samba-tool domain provision --use-rfc2307 --realm="$REALM" --domain="$NETBIOS" \
    --host-name="$HOST_SHORT" --server-role=dc --dns-backend=NONE --adminpass="$ADMIN_PASSWORD" \
    --targetdir="$LAB_DIR" \
    --option="interfaces=lo" --option="bind interfaces only=yes" \
    --option="tls enabled=yes" --option="tls keyfile=$LAB_DIR/tls/server.key" \
    --option="tls certfile=$LAB_DIR/tls/server.pem" --option="tls cafile=$LAB_DIR/tls/ca.pem" \
    >"$LAB_DIR/provision.log" 2>&1 || die "provision failed; see $LAB_DIR/provision.log"
}

write_krb5_conf() {
  cat >"$LAB_DIR/krb5.conf" <<EOF
[libdefaults]
    default_realm = ${REALM}
    dns_lookup_kdc = false
    dns_lookup_realm = false
    rdns = false
    ignore_acceptor_hostname = true

[realms]
    ${REALM} = {
        kdc = 127.0.0.1
    }

[domain_realm]
    .contoso.test = ${REALM}
    contoso.test = ${REALM}
EOF
}

write_password_files() {
  # No trailing newline: `ldapsearch -y FILE` sends the whole file as the password.
  (umask 077
   printf '%s' "$ADMIN_PASSWORD" >"$LAB_DIR/admin.password"
   printf '%s' "$CONNECTOR_PASSWORD" >"$LAB_DIR/connector.password"
   printf '%s' "$ALICE_PASSWORD" >"$LAB_DIR/alice.password")
}

running() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(cat "$PID_FILE")
  # Samba rewrites its process title (and the environment block with it), so recognise ours by
  # the binary and by its stdout being this lab's log file.
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null &&
    [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */samba ]] &&
    [[ $(readlink "/proc/$pid/fd/1" 2>/dev/null) == "$LAB_DIR/samba.log" ]]
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

start_samba() {
  if running; then
    log "DC already running (pid $(cat "$PID_FILE"))"
    return 0
  fi
  if port_open 636; then
    die "port 636 is taken by a process this script did not start; stop it first"
  fi
  log "starting samba"
  setsid samba -s "$SMB_CONF" -i --debug-stdout >"$LAB_DIR/samba.log" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 120); do
    if port_open 636 && port_open 88; then return 0; fi
    kill -0 "$(cat "$PID_FILE")" 2>/dev/null || die "samba exited; see $LAB_DIR/samba.log"
    sleep 0.5
  done
  die "samba did not open port 636 within 60 s; see $LAB_DIR/samba.log"
}

# ldapmodify/ldapadd over LDAPS as Administrator, verifying the lab CA; `-c` continues past
# "already exists" so re-runs are harmless.
admin_ldap() {
  LDAPTLS_CACERT=$LAB_DIR/tls/ca.pem ldapmodify -c -H "ldaps://${HOST_FQDN}" -x \
    -D "Administrator@contoso.test" -y <(printf '%s' "$ADMIN_PASSWORD") "$@"
}

wait_ldap_ready() {
  for _ in $(seq 1 60); do
    if LDAPTLS_CACERT=$LAB_DIR/tls/ca.pem ldapsearch -H "ldaps://${HOST_FQDN}" -x \
      -D "Administrator@contoso.test" -y <(printf '%s' "$ADMIN_PASSWORD") \
      -b "$BASE_DN" -s base dn >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.5
  done
  die "LDAPS bind as Administrator does not work; see $LAB_DIR/samba.log"
}

utf16_password() { printf '"%s"' "$1" | iconv -f UTF-8 -t UTF-16LE | base64 -w0; }

# The SID string of an account (ldbsearch decodes objectSid; the password goes in through PASSWD).
sid_of() {
  PASSWD=$ADMIN_PASSWORD ldbsearch -H ldap://127.0.0.1 -U Administrator -b "$BASE_DN" \
    "(sAMAccountName=$1)" objectSid 2>/dev/null | awk '/^objectSid:/{print $2}'
}

create_base_objects() {
  if [[ -f $LAB_DIR/base-objects.done ]]; then return 0; fi
  log "creating base objects (OU=Staff, alice, ${CONNECTOR}, Helpdesk, writeback ACEs)"
  admin_ldap >"$LAB_DIR/base-objects.log" 2>&1 <<EOF || true
dn: OU=Staff,${BASE_DN}
changetype: add
objectClass: organizationalUnit

dn: CN=Alice Smith,OU=Staff,${BASE_DN}
changetype: add
objectClass: user
sAMAccountName: alice
userPrincipalName: alice@contoso.test
givenName: Alice
sn: Smith
displayName: Alice Smith
mail: alice@contoso.test
unicodePwd:: $(utf16_password "$ALICE_PASSWORD")
userAccountControl: 512

dn: CN=${CONNECTOR},CN=Users,${BASE_DN}
changetype: add
objectClass: user
sAMAccountName: ${CONNECTOR}
userPrincipalName: ${CONNECTOR}@contoso.test
description: AD DS connector account (lab)
unicodePwd:: $(utf16_password "$CONNECTOR_PASSWORD")
userAccountControl: 66048

dn: CN=Helpdesk,CN=Users,${BASE_DN}
changetype: add
objectClass: group
sAMAccountName: Helpdesk

dn: CN=Helpdesk,CN=Users,${BASE_DN}
changetype: modify
add: member
member: CN=${CONNECTOR},CN=Users,${BASE_DN}
-
EOF
  local sid
  sid=$(sid_of "$CONNECTOR")
  [[ $sid == S-1-5-21-* ]] || die "could not read the SID of ${CONNECTOR}; see $LAB_DIR/base-objects.log"
  # What Set-ADSyncPasswordWritebackPermissions grants, on the domain root and on AdminSDHolder.
  local aces="(OA;CIIO;CR;${RESET_PASSWORD};${CLASS_USER};${sid})"
  aces+="(OA;CIIO;WP;${ATTR_LOCKOUT_TIME};${CLASS_USER};${sid})"
  aces+="(OA;CIIO;WP;${ATTR_PWD_LAST_SET};${CLASS_USER};${sid})"
  local target
  for target in "$BASE_DN" "CN=AdminSDHolder,CN=System,${BASE_DN}"; do
    PASSWD=$ADMIN_PASSWORD samba-tool dsacl set --objectdn="$target" --sddl="$aces" \
      -H "ldap://127.0.0.1" -U Administrator >>"$LAB_DIR/base-objects.log" 2>&1 ||
      die "granting the writeback ACEs on $target failed; see $LAB_DIR/base-objects.log"
  done
  touch "$LAB_DIR/base-objects.done"
}

write_env() {
  cat >"$ENV_FILE" <<EOF
# Written by .ci/samba-lab.sh start. Source it, or read KEY='VALUE' lines (values single-quoted,
# never containing a quote). No passwords here: *_PASSWORD_FILE entries point at mode-0600 files.
RESETLENS_LAB_DIR='${LAB_DIR}'
RESETLENS_LAB_HOST='${HOST_FQDN}'
RESETLENS_LAB_LDAPS_URL='ldaps://${HOST_FQDN}'
RESETLENS_LAB_LDAP_URL='ldap://${HOST_FQDN}'
RESETLENS_LAB_CA_CERT='${LAB_DIR}/tls/ca.pem'
RESETLENS_LAB_BASE_DN='${BASE_DN}'
RESETLENS_LAB_REALM='${REALM}'
RESETLENS_LAB_NETBIOS='${NETBIOS}'
RESETLENS_LAB_ADMIN_DN='CN=Administrator,CN=Users,${BASE_DN}'
RESETLENS_LAB_ADMIN_UPN='Administrator@contoso.test'
RESETLENS_LAB_ADMIN_PASSWORD_FILE='${LAB_DIR}/admin.password'
RESETLENS_LAB_CONNECTOR='${CONNECTOR}'
RESETLENS_LAB_CONNECTOR_DN='CN=${CONNECTOR},CN=Users,${BASE_DN}'
RESETLENS_LAB_CONNECTOR_PASSWORD_FILE='${LAB_DIR}/connector.password'
RESETLENS_LAB_STAFF_OU='OU=Staff,${BASE_DN}'
RESETLENS_LAB_ALICE_DN='CN=Alice Smith,OU=Staff,${BASE_DN}'
RESETLENS_LAB_ALICE_PASSWORD_FILE='${LAB_DIR}/alice.password'
RESETLENS_LAB_HELPDESK_DN='CN=Helpdesk,CN=Users,${BASE_DN}'
RESETLENS_LAB_SAMBA_PID='$(cat "$PID_FILE")'
KRB5_CONFIG='${LAB_DIR}/krb5.conf'
EOF
}

start() {
  mkdir -p "$LAB_DIR"
  chmod 700 "$LAB_DIR"
  install_packages
  map_host_name
  make_certificates
  provision
  write_krb5_conf
  write_password_files
  start_samba
  wait_ldap_ready
  create_base_objects
  write_env
  log "ready: $ENV_FILE"
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PID_FILE")
    log "stopping samba (pid $pid)"
    kill "$pid"
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  else
    log "no DC started by this script is running"
  fi
  rm -f "$PID_FILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) running ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
