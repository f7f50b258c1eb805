"""The demo program (project ``avosms-demo``): a few AvoSMS contact lists, and their IDs and
contact counts as stack outputs.

``./scripts/demo`` deploys it to the stack ``demo``, whose config (``Pulumi.demo.yaml``) sets
``avosms:endpoint: emulator``: the provider then runs the AvoSMS emulator inside its own
process, with its data in ``.avosms/emulator.sqlite3``, so no AvoSMS account is needed. Point
another stack at AvoSMS (``avosms:apiId`` / ``avosms:apiKey``) and the same program manages
real lists.
"""

import pulumi

from pulumi_avosms import ContactList

#: Pulumi resource name -> (list name in AvoSMS, ISO 3166-1 alpha-2 country). The resource
#: name is the list's identity in the stack: keep it when renaming a list (an in-place update).
LISTS = {
    "customers-fr": ("Customers FR", "FR"),
    "customers-be": ("Customers BE", "BE"),
    "staff": ("Staff", "FR"),
}

lists = {
    key: ContactList(key, name=name, country_code=country) for key, (name, country) in LISTS.items()
}

pulumi.export("list_ids", {key: lst.list_id for key, lst in lists.items()})
# As of the last create, update or refresh: contacts added in the AvoSMS console show after
# `pulumi refresh`.
pulumi.export("contact_counts", {key: lst.contact_count for key, lst in lists.items()})
