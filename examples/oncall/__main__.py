"""The on-call phone list that alerting sends SMS to, kept as code.

Who is on call is reviewed like any other change: add, edit or remove a person below and
`pulumi preview` shows exactly which numbers change. The list's whole membership is one
`ContactListMembers` resource, exclusive: a number someone adds in the AvoSMS console shows
as drift at `pulumi refresh` (or `pulumi preview --refresh`), and `pulumi up` removes it.
"""

import pulumi

from pulumi_avosms import ContactList, ContactListMembers

oncall = ContactList("oncall", name="On-call FR", country_code="FR")

# Numbers in international form; they are stored in E.164 (+33612345678).
ON_CALL = [
    {
        "phone_number": "+33 6 12 34 56 78",
        "first_name": "Alice",
        "last_name": "Martin",
        "email": "alice@example.com",
    },
    {
        "phone_number": "+33 6 98 76 54 32",
        "first_name": "Bruno",
        "last_name": "Leroy",
        "other": "secondary",
    },
    {
        "phone_number": "+33 7 81 22 33 44",
        "civility": "Mme",
        "first_name": "Chloé",
        "last_name": "Petit",
    },
]

members = ContactListMembers("oncall-members", list_id=oncall.list_id, members=ON_CALL)

pulumi.export("list_id", oncall.list_id)
pulumi.export("member_count", members.member_count)
# As of the last step of the members resource: every contact of the list.
pulumi.export("contact_count", members.contact_count)
pulumi.export("on_call", sorted(f"{m['first_name']} {m['last_name']}" for m in ON_CALL))
# Phone numbers are personal data: exported as a secret, so `pulumi stack output` hides them
# unless asked with --show-secrets. (They stay readable in the state; see SECURITY.md.)
pulumi.export("numbers", pulumi.Output.secret([m["phone_number"] for m in ON_CALL]))
