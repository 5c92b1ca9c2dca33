"""Bring registries that were made outside Pulumi into a stack.

* `adopt-existing:registryName`: the registry with this name is adopted (`adopt_existing=True`):
  from now on this stack manages it, and its garbage-collection schedule is set to ours. Its
  location must match `adopt-existing:location` (default `de/fra`). Vulnerability scanning is
  not set, so the registry keeps whatever it has. `pulumi destroy` leaves it in place
  (`retain_on_delete`) unless `adopt-existing:retainOnDelete` is false.
* `adopt-existing:readRegistryId`: the registry with this id is read with `Registry.get`: its
  outputs are available here, but this stack never changes or deletes it.

With neither set the program manages nothing and says how to set them.
"""

from __future__ import annotations

import pulumi

import pulumi_ionoscr as cr

config = pulumi.Config()
adopt_name = config.get("registryName")
read_id = config.get("readRegistryId")
retain = config.get_bool("retainOnDelete")

if adopt_name:
    adopted = cr.Registry(
        "adopted",
        name=adopt_name,
        location=config.get("location") or "de/fra",
        garbage_collection_schedule=cr.GarbageCollectionSchedule(days=["Sunday"], time="04:00"),
        adopt_existing=True,
        opts=pulumi.ResourceOptions(retain_on_delete=retain is not False),
    )
    pulumi.export("adopted_registry_id", adopted.registry_id)
    pulumi.export("adopted_hostname", adopted.hostname)  # secret
    pulumi.export("adopted_vulnerability_scanning", adopted.vulnerability_scanning)

if read_id:
    existing = cr.Registry.get("existing", read_id)
    pulumi.export("read_registry_name", existing.name)
    pulumi.export("read_registry_state", existing.state)
    pulumi.export("read_hostname", existing.hostname)  # secret

if not adopt_name and not read_id:
    pulumi.log.info(
        "adopt-existing: nothing to adopt or read. Create a registry outside Pulumi "
        "(create_outside.py, ionosctl or the Cloud panel), then "
        "`pulumi config set adopt-existing:registryName <name>` to adopt it or "
        "`pulumi config set adopt-existing:readRegistryId <id>` to read it."
    )
