"""Mistakes a type checker must report: exactly the lines marked as mistakes, each once."""

import pulumi

import pulumi_ionoscr as cr

registry = cr.Registry("main", location="de/fra")
rid = registry.registry_id

cr.Registry("typo", locaton="de/fra")  # mistake: misspelt keyword
cr.Registry("number", location=123)  # mistake: location is a str
cr.Registry("dict-key", {"location": "de/fra", "vulnerability_scaning": True})  # mistake
cr.Registry("no-time", location="de/fra", garbage_collection_schedule={"days": ["Sat"]})  # mistake
cr.Registry("timeouts", location="de/fra", timeouts=cr.Timeouts(create=[20]))  # mistake
cr.Registry("scanning", location="de/fra", vulnerability_scanning="yes")  # mistake
cr.RegistryToken("scopes", registry_id=rid, scopes=["pull"])  # mistake: scopes are TokenScopes
cr.RegistryToken("status", registry_id=rid, status="off")  # mistake: enabled or disabled
cr.RegistryToken("expiry", registry_id=rid, expiry_date=20270601)  # mistake: a date or text
cr.TokenScope(name="app", actions="pull")  # mistake: actions is a list
cr.TokenScope(name="app", actions=["pul"])  # mistake: pull, push or delete
cr.RegistryToken("dict", {"registry_id": rid, "scopes": [{"name": "app"}]})  # mistake
cr.RegistryToken("by-id", registry=rid)  # mistake: registry= takes the Registry resource
cr.Repository("half", registry_id=rid)  # mistake: name is required
cr.Repository("args", cr.RepositoryArgs(registry_id=rid, name="app"), name="app")  # mistake
cr.Registry("opts", location="de/fra", opts={"protect": True})  # mistake: ResourceOptions

token = cr.RegistryToken("ci", registry_id=rid)
token.scopes.apply(lambda scopes: [s["nam"] for s in scopes])  # mistake: no such key
registry.storage_bytes.apply(lambda size: size.upper())  # mistake: an int
pulumi.export("never", registry.garbage_collection_schedule.apply(lambda s: s["days"]))  # mistake
cr.parallel_providers("4")  # mistake: a count of providers
