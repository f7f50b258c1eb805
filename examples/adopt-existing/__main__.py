"""Bring a contact list that already exists in AvoSMS under Pulumi management (adoption).

``import_`` names the existing list by its AvoSMS ID. The first ``pulumi up`` reads that list
and takes it into the stack without changing anything in AvoSMS, provided the program's
``name`` and ``country_code`` are the list's current ones (otherwise it stops and shows both
sides). From then on the list is managed like any other: rename it here and ``pulumi up``
renames it in AvoSMS. Keeping or removing ``import_`` afterwards makes no difference, except
that a change which replaces the list (a new country) needs it removed first; preview says
so.

Stack config (``pulumi config set <key> <value>``):

- ``listId`` (required): the AvoSMS ID of the list, e.g. from ``avosms-emulator lists`` or
  the AvoSMS console.
- ``listName`` / ``countryCode``: the list's current name and country (default
  ``Newsletter`` / ``FR``).
"""

import pulumi

from pulumi_avosms import ContactList

config = pulumi.Config()

newsletter = ContactList(
    "newsletter",
    name=config.get("listName") or "Newsletter",
    country_code=config.get("countryCode") or "FR",
    opts=pulumi.ResourceOptions(import_=config.require("listId")),
)

pulumi.export("list_id", newsletter.list_id)
pulumi.export("contact_count", newsletter.contact_count)
