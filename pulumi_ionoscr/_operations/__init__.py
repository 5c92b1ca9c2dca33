"""What the providers do against the IONOS API: create, read, update and delete.

One module per resource type, each importing the API client and the pydantic models at the top.
Only the provider process imports them, through `ProviderBase.operations()`, on the first call
that needs the API; the pickled provider classes, `check` and `diff` live with the resources
(`pulumi_ionoscr._registry`, ...), which a program imports without httpx or pydantic.
"""
