"""Declare AvoSMS contact lists (and their contacts) as code with Pulumi.

```python
from pulumi_avosms import ContactList

customers = ContactList("customers-fr", name="Customers FR", country_code="FR")
```

The provider classes are importable from here and from their modules; their module paths
are stored by reference in every resource's state, so they never move.
"""

from .contact import Contact, ContactError, ContactProvider
from .contact_list import ContactList, ContactListError, ContactListProvider
from .members_csv import MembersCSVError, members_from_csv

__all__ = [
    "Contact",
    "ContactError",
    "ContactList",
    "ContactListError",
    "ContactListProvider",
    "ContactProvider",
    "MembersCSVError",
    "members_from_csv",
]
