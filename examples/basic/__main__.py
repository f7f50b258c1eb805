"""One AvoSMS contact list per country, declared from a plain Python dict.

Add a line to ``CUSTOMER_LISTS`` and ``pulumi up`` creates the list; change a name and it is
renamed in place. Each entry's country code is also its Pulumi resource name
(``customers-fr``), so it is the list's identity in the stack: removing an entry stops
managing that list (AvoSMS cannot delete lists, so it stays in the account), and a list
moving to another country is a new entry.
"""

import pulumi

from pulumi_avosms import ContactList

#: ISO 3166-1 alpha-2 country code -> name of the list in AvoSMS (names are unique per account).
CUSTOMER_LISTS = {
    "FR": "Customers France",
    "BE": "Customers Belgium",
    "CH": "Customers Switzerland",
}

lists = {
    country: ContactList(f"customers-{country.lower()}", name=name, country_code=country)
    for country, name in CUSTOMER_LISTS.items()
}

pulumi.export("list_ids", {country: lst.list_id for country, lst in lists.items()})
pulumi.export("contact_counts", {country: lst.contact_count for country, lst in lists.items()})
