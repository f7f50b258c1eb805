"""Production contact lists, and the members of one, whose drift a scheduled workflow reports.

The program is ordinary; the interesting part is ``.github/workflows/avosms-drift.yml`` next
to it: every night it runs ``pulumi preview --refresh --expect-no-changes`` (through
``drift_check.py``, which tells drift from a check that could not run). It fails, and so fails
the workflow, which notifies the repository's watchers, when someone changed these lists in
the AvoSMS console: a list renamed or deleted, a member edited or removed, or a contact added
by hand to the exclusive on-duty membership. On every push to ``main`` it runs
``pulumi up --refresh``, which puts the program's values back.

Credentials come from the environment the workflow sets from repository secrets
(``AVOSMS_API_ID``, ``AVOSMS_API_KEY``); nothing secret is in the program or the stack config.
"""

import pulumi

from pulumi_avosms import ContactList, ContactListMembers

#: Pulumi resource name -> (list name in AvoSMS, ISO 3166-1 alpha-2 country).
LISTS = {
    "alerts-fr": ("Service alerts FR", "FR"),
    "alerts-de": ("Service alerts DE", "DE"),
}

lists = {
    key: ContactList(key, name=name, country_code=country) for key, (name, country) in LISTS.items()
}

# Who gets the French service alerts: exactly these people (exclusive, the default), so a
# number added in the console is drift too, and `pulumi up --refresh` removes it.
ON_DUTY_FR = [
    {"phone_number": "+33 6 12 34 56 78", "first_name": "Alice", "last_name": "Martin"},
    {"phone_number": "+33 6 98 76 54 32", "first_name": "Bruno", "last_name": "Leroy"},
]
on_duty = ContactListMembers(
    "alerts-fr-members", list_id=lists["alerts-fr"].list_id, members=ON_DUTY_FR
)

pulumi.export("list_ids", {key: lst.list_id for key, lst in lists.items()})
pulumi.export("on_duty_count", on_duty.member_count)
