# Import by the host's managed object id (see data.carp_hosts, hosts[*].id).
terraform import 'carp_host_settings.fw["esx-01.lab"]' host-21
