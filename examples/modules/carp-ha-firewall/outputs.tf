output "ready" {
  description = "True when the audit has no finding of severity error."
  value       = data.carp_audit.this.ready
}

output "findings" {
  description = "The audit's findings: code, name, severity, object_id, object_name, message, remedy."
  value       = data.carp_audit.this.findings
}

output "counts" {
  description = "Number of findings by severity."
  value       = data.carp_audit.this.counts
}

output "host_ids" {
  description = "The hosts the module manages."
  value       = local.host_ids
}

output "firewall_vm_ids" {
  description = "The firewall VMs audited."
  value       = local.vm_ids
}

output "toggled_portgroups" {
  description = "Per host, the port groups the last apply toggled after the host option changed."
  value       = { for k, h in carp_host_settings.host : k => h.toggled_portgroups }
}
