"""Production contact lists whose drift a scheduled GitHub Actions workflow reports.

The program is ordinary; the interesting part is ``.github/workflows/avosms-drift.yml`` next
to it: every night it runs ``pulumi preview --refresh --expect-no-changes``, which fails (and
so fails the workflow, which notifies the repository's watchers) when someone changed these
lists in the AvoSMS console, and on every push to ``main`` it runs ``pulumi up --refresh``.

Credentials come from the environment the workflow sets from repository secrets
(``AVOSMS_API_ID``, ``AVOSMS_API_KEY``); nothing secret is in the program or the stack config.
"""

import pulumi

from pulumi_avosms import ContactList

#: Pulumi resource name -> (list name in AvoSMS, ISO 3166-1 alpha-2 country).
LISTS = {
    "alerts-fr": ("Service alerts FR", "FR"),
    "alerts-de": ("Service alerts DE", "DE"),
}

lists = {
    key: ContactList(key, name=name, country_code=country) for key, (name, country) in LISTS.items()
}

pulumi.export("list_ids", {key: lst.list_id for key, lst in lists.items()})
