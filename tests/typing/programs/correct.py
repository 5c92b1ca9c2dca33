"""Every documented way of declaring resources and reading their outputs: type checks clean."""

import datetime

import pulumi

import pulumi_ionoscr as cr

config = pulumi.Config()
location: pulumi.Input[str] = config.get("location") or "de/fra"
days = pulumi.Output.from_input(["Saturday"])

by_keywords = cr.Registry(
    "keywords",
    location=location,
    name="acme-images",
    garbage_collection_schedule=cr.GarbageCollectionSchedule(days=days, time="02:30"),
    vulnerability_scanning=False,
    api_subnet_allow_list=["203.0.113.0/24", pulumi.Output.from_input("198.51.100.7")],
    timeouts=cr.Timeouts(create="30m", delete=600),
    adopt_existing=True,
)
by_dict = cr.Registry(
    "dict",
    {
        "location": "de/txl",
        "garbage_collection_schedule": {"days": ["sun"], "time": "03:00"},
        "timeouts": {"update": "1h"},
    },
    pulumi.ResourceOptions(protect=True),
)
by_args = cr.Registry("args", cr.RegistryArgs(location="es/vit"), opts=pulumi.ResourceOptions())
with_options = cr.Registry("options", pulumi.ResourceOptions(parent=by_args), location="de/fra")
schedule_output = pulumi.Output.from_input(cr.GarbageCollectionSchedule(days=["Mon"], time="01:00"))
cr.Registry("whole-output", location="de/fra", garbage_collection_schedule=schedule_output)

rid = by_keywords.registry_id
actions: list[cr.ScopeAction] = ["pull", "push"]
status: cr.TokenStatus = "disabled"
push = cr.RegistryToken(
    "push",
    registry_id=rid,
    scopes=[
        cr.TokenScope(name="app", actions=actions),
        cr.TokenScope(name=by_keywords.name, actions=["pull"], type="repository"),
        {"name": "*", "actions": ["pull"]},
    ],
    expiry_date=datetime.date(2027, 6, 1),
    status=status,
    rotation_triggers={"quarter": "2027Q1"},
)
cr.RegistryToken("dict", {"registry_id": rid, "expiry_date": "2027-06-01T00:00:00Z"})
cr.RegistryToken("args", cr.RegistryTokenArgs(registry_id=rid, name="pull"))
cr.RegistryToken("by-resource", registry=by_keywords, status="enabled")
cr.RegistryToken("by-resource-args", cr.RegistryTokenArgs(registry=by_args))
app = cr.Repository("app", registry_id=rid, name="team/app")
cr.Repository("dict-repo", {"registry_id": rid, "name": "team/web"})
cr.Repository("args-repo", cr.RepositoryArgs(registry_id=rid, name="team/api"))

pulumi.export("days", by_dict.garbage_collection_schedule.apply(lambda s: s["days"] if s else []))
pulumi.export("scope_names", push.scopes.apply(lambda scopes: [s["name"] for s in scopes]))
pulumi.export("gib", by_keywords.storage_bytes.apply(lambda size: size / 2**30))
pulumi.export("expires", push.expiry_date.apply(lambda e: e or "never"))
pulumi.export("pushed", app.push_count.apply(lambda n: n + 1))
pulumi.export("url", app.url)
seen = cr.Registry.get("seen", "2f1a3f0e-6a53-4c55-9b5f-0f5a3b2f3c11")
pulumi.export("seen_location", seen.location)

providers: list[pulumi.ProviderResource] = cr.parallel_providers(2, name="wide")
for index in range(8):
    cr.Registry(
        f"wide{index}",
        location="de/fra",
        opts=pulumi.ResourceOptions(provider=providers[index % len(providers)]),
    )
