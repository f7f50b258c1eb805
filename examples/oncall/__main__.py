"""The on-call phone list that alerting sends SMS to, kept as code.

Who is on call is reviewed like any other change: add, edit or remove a person below and
`pulumi preview` shows exactly which contact changes; `pulumi refresh` shows edits made in the
AvoSMS console (drift).
"""

import pulumi

from pulumi_avosms import Contact, ContactList

oncall = ContactList("oncall", name="On-call FR", country_code="FR")

# Keys are Pulumi resource names: keep them stable (renaming one replaces the contact).
# Numbers in international form; they are stored in E.164 (+33612345678).
ON_CALL = {
    "alice": {
        "phone_number": "+33 6 12 34 56 78",
        "first_name": "Alice",
        "last_name": "Martin",
        "email": "alice@example.com",
    },
    "bruno": {
        "phone_number": "+33 6 98 76 54 32",
        "first_name": "Bruno",
        "last_name": "Leroy",
        "other": "secondary",
    },
    "chloe": {
        "phone_number": "+33 7 81 22 33 44",
        "civility": "Mme",
        "first_name": "Chloé",
        "last_name": "Petit",
    },
}

contacts = {key: Contact(key, list_id=oncall.list_id, **fields) for key, fields in ON_CALL.items()}

pulumi.export("list_id", oncall.list_id)
# As of the last create/update/refresh of the list: contacts added in the same `up` show at
# the next `pulumi refresh`.
pulumi.export("contact_count", oncall.contact_count)
pulumi.export("on_call", sorted(ON_CALL))
# Phone numbers are personal data: exported as a secret, so `pulumi stack output` hides them
# unless asked with --show-secrets. (They stay readable in the state, where each is part of
# its Contact's ID; see SECURITY.md.)
pulumi.export(
    "numbers",
    pulumi.Output.secret({key: contact.phone_number for key, contact in contacts.items()}),
)
