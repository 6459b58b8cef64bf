#!/usr/bin/env bash
# Side by side, in one run: `resetlens snapshot` and `resetlens scan` of 20,000 users from the lab DC
# versus `ldapsearch` fetching the same users and attributes with paging and the SD flags control
# (owner, group, DACL). Issue 13's goal: snapshot and scan at 0.8x of that one ldapsearch or less.
# resetlens lists the users by objectGUID with one unpaged search, then fetches them in OR-filter
# batches of 250 over 3 connections; ldapsearch pages over one. Both wait on the DC; Samba serves
# unpaged searches with far less of its CPU than paged ones (docs/PERFORMANCE.md has the table).
#
#   .ci/samba-lab.sh start
#   scripts/bench-snapshot-vs-ldapsearch.sh [ROUNDS]      (default 3 rounds; prints the best of each)
#
# It adds OU=Bench20k with 20,000 users in one LDIF (ldbadd on the lab DC's database, as root;
# 15-50 minutes on a busy 2-core machine, since one OU's child index grows with every add; do not
# edit this script while it runs, bash reads it as it goes) and
# removes them afterwards so other suites sharing the lab see the usual domain; KEEP_BENCH_USERS=1
# keeps them for the next run. Users are created without passwords (disabled), which does not
# change what is read.
#
# Measured (2026-12-04, 20,000 users, a private lab DC in its own network namespace, the 2-core
# machine at load average 7-10 from other jobs, best of 3 rounds each): snapshot 7.56 s, scan
# 8.88 s, ldapsearch 10.51 s: ratios 0.72 and 0.84; the next run (load 5-7) 1.08 and 1.06; single
# rounds range 0.62-1.27: the goal was not met under that load (docs/PERFORMANCE.md says why).
# On a quiet machine (2026-12-08, load average 1-2, the shared lab DC, TCP_NODELAY): snapshot
# 2.55 s, scan 2.56 s, ldapsearch 5.09 s: 0.50 and 0.50, every round below 0.6: met. Before
# (2026-11-25, one paged search on one connection, idle machine): 20.46 s, 20.35 s, 20.07 s:
# 1.02 and 1.01.
set -euo pipefail

ROUNDS=${1:-3}
USERS=20000
ENV_FILE=${RESETLENS_LAB_ENV:-/tmp/resetlens-lab/lab.env}
[[ -f $ENV_FILE ]] || { echo "no lab: run .ci/samba-lab.sh start first" >&2; exit 1; }
# shellcheck disable=SC1090
. "$ENV_FILE"
OU="OU=Bench20k,${RESETLENS_LAB_BASE_DN}"
BIN=${RESETLENS_BIN:-target/release/resetlens}
export LDAPTLS_CACERT=$RESETLENS_LAB_CA_CERT
LDAP_AUTH=(-H "$RESETLENS_LAB_LDAPS_URL" -x -D "$RESETLENS_LAB_ADMIN_UPN" -y "$RESETLENS_LAB_ADMIN_PASSWORD_FILE")
ATTRS=(sAMAccountName userPrincipalName displayName mail objectGUID objectSid mS-DS-ConsistencyGuid
       userAccountControl msDS-User-Account-Control-Computed lockoutTime pwdLastSet badPwdCount
       adminCount memberOf msDS-ResultantPSO nTSecurityDescriptor whenChanged)

count_users() {
  ldapsearch "${LDAP_AUTH[@]}" -E pr=1000/noprompt -b "$OU" '(sAMAccountType=805306368)' dn 2>/dev/null |
    grep -c '^dn: ' || true
}

populate() {
  local have
  have=$(count_users)
  if ((have >= USERS)); then return 0; fi
  echo "creating $((USERS - have)) users under $OU (one LDIF, one ldbadd transaction)..." >&2
  # Adding over LDAP runs one transaction per user (a handful per second on a busy machine);
  # ldbadd on the DC's own database adds them all in one, while the DC keeps running.
  local sam_ldb=$RESETLENS_LAB_DIR/private/sam.ldb ldif existing
  ldif=$(mktemp)
  existing=$(mktemp)
  # The OU goes in over LDAP first: ldbadd of an OU and its children in one LDIF failed with
  # "no such object" (32) here, the children being checked before the parent was committed.
  if ! ldapsearch "${LDAP_AUTH[@]}" -s base -b "$OU" dn >/dev/null 2>&1; then
    printf 'dn: %s\nobjectClass: organizationalUnit\n' "$OU" | ldapadd "${LDAP_AUTH[@]}" >/dev/null
  fi
  : >"$ldif"
  ldbsearch -H "$sam_ldb" -b "$OU" '(sAMAccountName=bench*)' sAMAccountName 2>/dev/null |
    awk '/^sAMAccountName: /{print $2}' | sort >"$existing"
  for i in $(seq -f '%05g' 1 "$USERS"); do echo "bench$i"; done | sort | comm -23 - "$existing" |
    while read -r sam; do
      printf 'dn: CN=%s,%s\nobjectClass: user\nsAMAccountName: %s\n' "$sam" "$OU" "$sam"
      printf 'userPrincipalName: %s@contoso.test\ndisplayName: Bench User %s\nmail: %s@contoso.test\n\n' \
        "$sam" "$sam" "$sam"
    done >>"$ldif"
  ldbadd -H "$sam_ldb" "$ldif" >/dev/null
  rm -f "$ldif" "$existing"
  have=$(count_users)
  ((have >= USERS)) || { echo "only $have users under $OU" >&2; exit 1; }
}

[[ -x $BIN ]] || { echo "build first: cargo build --release (or set RESETLENS_BIN)" >&2; exit 1; }
populate

now() { date +%s.%N; }
best_resetlens=999999
best_scan=999999
best_ldapsearch=999999
RL_LDAP=(--ldap-url "$RESETLENS_LAB_LDAPS_URL" --bind-dn "$RESETLENS_LAB_ADMIN_UPN"
         --password-file "$RESETLENS_LAB_ADMIN_PASSWORD_FILE" --ca-cert "$RESETLENS_LAB_CA_CERT")
out=$(mktemp -d)
for r in $(seq 1 "$ROUNDS"); do
  t0=$(now)
  "$BIN" snapshot --out "$out/snap.json" "${RL_LDAP[@]}" --base-dn "$OU" 2>"$out/resetlens.err"
  t1=$(now)
  "$BIN" scan --format csv "${RL_LDAP[@]}" --base-dn "$OU" >"$out/scan.csv" 2>"$out/scan.err" || true
  ts=$(now)
  ldapsearch "${LDAP_AUTH[@]}" -E pr=1000/noprompt -E '!1.2.840.113556.1.4.801=::MAMCAQc=' \
    -b "$OU" '(sAMAccountType=805306368)' "${ATTRS[@]}" >"$out/ldapsearch.ldif" 2>"$out/ldapsearch.err"
  t2=$(now)
  rs=$(echo "$t1 - $t0" | bc)
  ss=$(echo "$ts - $t1" | bc)
  ls=$(echo "$t2 - $ts" | bc)
  printf 'round %d: snapshot %.2f s, scan %.2f s, ldapsearch %.2f s\n' "$r" "$rs" "$ss" "$ls"
  best_resetlens=$(echo "if ($rs < $best_resetlens) $rs else $best_resetlens" | bc)
  best_scan=$(echo "if ($ss < $best_scan) $ss else $best_scan" | bc)
  best_ldapsearch=$(echo "if ($ls < $best_ldapsearch) $ls else $best_ldapsearch" | bc)
done
got=$(grep -c '^dn: ' "$out/ldapsearch.ldif" || true)
echo "ldapsearch returned $got entries; $(cat "$out/resetlens.err")"
echo "scan: $(($(wc -l <"$out/scan.csv") - 1)) rows; $(tail -1 "$out/scan.err")"
printf 'best: snapshot %.2f s, ldapsearch %.2f s, ratio %.2f (goal <= 0.8)\n' \
  "$best_resetlens" "$best_ldapsearch" "$(echo "scale=3; $best_resetlens / $best_ldapsearch" | bc)"
printf 'best: scan %.2f s, ldapsearch %.2f s, ratio %.2f (goal <= 0.8)\n' \
  "$best_scan" "$best_ldapsearch" "$(echo "scale=3; $best_scan / $best_ldapsearch" | bc)"
rm -rf "$out"
if [[ ${KEEP_BENCH_USERS:-0} != 1 ]]; then
  echo "removing $OU (KEEP_BENCH_USERS=1 keeps it)" >&2
  ldbdel -r -H "$RESETLENS_LAB_DIR/private/sam.ldb" "$OU" >/dev/null
fi
