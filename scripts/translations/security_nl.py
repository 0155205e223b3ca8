"""Dutch translations of the account-protection changes (issue 2 review): ``scripts/po_fill.py`` fills them
into locale/nl after ``manage.py makemessages -l nl``."""

T = {
    "provisioned by": "toegevoegd door",
    "The administrator who added this person; they manage them until they have a role.": (
        "De beheerder die deze persoon heeft toegevoegd; die beheert de persoon tot die een rol heeft."
    ),
}
