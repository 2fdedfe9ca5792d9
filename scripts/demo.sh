#!/usr/bin/env bash
# make demo: the provider against the embedded simulator, in one command.
# Starts the demo scenario, points the CLI at the local build through
# dev_overrides in a CLI config of its own (~/.terraformrc is never touched),
# runs plan and apply on examples/demo, then plans again, and stops.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
: "${TERRAFORM:?}" "${PROVIDER_DIR:?}"

work=$(mktemp -d "${TMPDIR:-/tmp}/carp-demo.XXXXXX")
sim_pid=""
cleanup() {
  [ -n "$sim_pid" ] && kill "$sim_pid" 2>/dev/null && wait "$sim_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/terraformrc" <<RC
disable_checkpoint = true
provider_installation {
  dev_overrides {
    "registry.terraform.io/carpsafe/carp" = "$PROVIDER_DIR"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE="$work/terraformrc" CHECKPOINT_DISABLE=1 TF_IN_AUTOMATION=1

echo "==> starting the vSphere simulator with the demo scenario"
go build -o "$work/carpsim" "$root/internal/cmd/carpsim"
"$work/carpsim" -listen 127.0.0.1:0 -env-file "$work/env" > "$work/sim.log" 2>&1 &
sim_pid=$!
for _ in $(seq 1 100); do [ -s "$work/env" ] && break; sleep 0.1; done
[ -s "$work/env" ] || { cat "$work/sim.log"; echo "simulator did not start"; exit 1; }
# shellcheck disable=SC1091
source "$work/env"
echo "    simulator at $VSPHERE_SERVER"

mkdir -p "$work/examples"
cp -r "$root/examples/demo" "$root/examples/modules" "$work/examples/"
tf() { echo; echo "==> terraform $*"; "$TERRAFORM" "$@"; }

dvpgs="[\"$CARP_DEMO_DVPG_FW_LEGACY\",\"$CARP_DEMO_DVPG_FW_CORE\",\"$CARP_DEMO_DVPG_FW_UPLINK\",\"$CARP_DEMO_DVPG_FW_HA\"]"
audit() {
  echo; echo "==> audit of the whole lab ($1), including the retired node fw-old, the Lab-Shared port group and the LACP core switch"
  (cd "$work/examples/demo/audit" && "$TERRAFORM" apply -input=false -auto-approve \
    -var "distributed_portgroup_ids=$dvpgs" \
    -var "firewall_vm_ids=[\"$CARP_DEMO_VM_FW_A\",\"$CARP_DEMO_VM_FW_B\",\"$CARP_DEMO_VM_FW_OLD\"]" \
    -var "pairs=[[\"$CARP_DEMO_VM_FW_A\",\"$CARP_DEMO_VM_FW_B\"]]" \
    -var 'portgroups=["FW-WAN","FW-LAN","FW-SYNC","FW-DMZ","Lab-Shared"]' | sed -n '/^Outputs:/,$p')
  local n
  n=$(cd "$work/examples/demo/audit" && "$TERRAFORM" output -json findings | grep -c "$CARP_DEMO_DVPG_FW_UPLINK" || true)
  echo "==> FW-UPLINK, whose active uplink is LAG lag-core (two links, hashing by srcDestIpTcpUdpPortVlan): $n findings"
  echo "    (a LAG is no single uplink, CARP011, and its own hashing makes the port group's load balancing moot, CARP010)"
}

audit "before"
export TF_VAR_ha_portgroup_id="$CARP_DEMO_DVPG_FW_HA"

# The module is given the firewalls by name only (examples/demo/main.tf).
cd "$work/examples/demo"
"$TERRAFORM" get >/dev/null
tf plan -input=false -out=demo.plan
tf apply -input=false demo.plan
echo
echo "==> what the provider cannot fix, with what to do (the check block above warns while it is there):"
"$TERRAFORM" output remaining | grep -E 'CARP01[5-7]|CARP02[3-5]' || true
set +e
tf plan -input=false -detailed-exitcode
rc=$?
set -e
case $rc in
  0) echo "==> no changes: the configuration and vSphere agree" ;;
  *) echo "==> the second plan was not empty (exit $rc)"; exit 1 ;;
esac

audit "after: CARP015 and FW-HA's MAC limit (CARP019) are fixed; left are fw-old's legacy NIC (CARP012), FW-LAN's other VLAN on esx-02.lab (CARP016), the missing anti-affinity rule for the pair fw-a, fw-b (CARP017) and fw-a's NIC on NSX segment fw-nsx, whose MAC discovery profile blocks the VIP (CARP023): the provider never changes VMs, port group VLANs, DRS rules or NSX profiles"
