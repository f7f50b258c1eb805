import * as pulumi from "@pulumi/pulumi";
import * as avosms from "pulumi-avosms-sdk";

// One list per country, renamed in place when a name changes.
const customerLists: Record<string, string> = {
    FR: "Customers FR",
    BE: "Customers BE",
};

const lists = Object.entries(customerLists).map(
    ([countryCode, name]) =>
        new avosms.ContactList(`customers-${countryCode.toLowerCase()}`, { name, countryCode }),
);

// A person in the French list; a change of number or list replaces the contact.
new avosms.Contact("alice", {
    listId: lists[0].listId,
    phoneNumber: "+33 6 12 34 56 78",
    firstName: "Alice",
    email: "alice@example.com",
});

// A whole membership as one resource: contacts added by hand are drift that `up` removes.
const oncall = new avosms.ContactList("oncall", { name: "On-call FR", countryCode: "FR" });
const oncallMembers = new avosms.ContactListMembers("oncall-members", {
    listId: oncall.listId,
    members: [
        { phoneNumber: "+33 7 98 76 54 32", firstName: "Bob" },
        { phoneNumber: "+33 6 11 22 33 44", firstName: "Carol" },
    ],
});

// A second account: an explicit provider with its own settings (here, an emulator of its own;
// against AvoSMS, its own apiId and apiKey).
const partner = new avosms.Provider("partner", {
    endpoint: "emulator",
    emulatorState: ".avosms/partner.sqlite3",
});
new avosms.ContactList("partner-list", { name: "Partner FR", countryCode: "FR" }, { provider: partner });

// A list managed elsewhere, looked up by name once it exists.
export const found = oncall.name.apply((name) => avosms.getContactList({ name }));
export const listIds = lists.map((list) => list.listId);
export const oncallMemberCount = oncallMembers.memberCount;
export const accountLists = pulumi.output(avosms.getContactLists({})).lists.length;
